import type { RetryPolicy } from "./retry-policy.ts";

/** Partner webhooks' knobs (parsed in config/crease-config.ts; the README documents each). */
export interface WebhookConfig {
  retry: RetryPolicy;
  /** One delivery attempt's timeout: past it the attempt counts as failed and is retried. */
  timeoutMs: number;
  /** An endpoint that failed every delivery for this long is paused. */
  pauseAfterMs: number;
  /** After a rotation, the old secret signs beside the new one for this long. */
  rotationGraceMs: number;
  /** Local development only: receivers on loopback (and plain http to them) are allowed (endpoint-url.ts). */
  allowLoopbackHttp: boolean;
}
