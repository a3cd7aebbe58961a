import type { Context, MiddlewareHandler } from "hono";
import { fastReadFor } from "../adapters/fast-read-config.ts";
import type { LimiterFailure } from "../adapters/guarded-fast-read.ts";
import { HttpError } from "./http-error.ts";

type RuleName = "connect" | "read" | "ingest";

/**
 * Counts a request against a rate rule and refuses with 429 and Retry-After past it. The key
 * is the client address Cloudflare sets (`CF-Connecting-IP`); a request without one (a test
 * harness calling the Worker directly) is not counted. When the limiter is unavailable the
 * route's `onFailure` decides: "open" lets the request through, "closed" refuses it.
 */
export function limitByAddress(
  rule: RuleName,
  onFailure: LimiterFailure,
): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const address = c.req.header("cf-connecting-ip");
    if (address) await enforce(c, rule, address, onFailure);
    await next();
  };
}

/** The same check for a key the route computes (the ingest route keys by provider). */
export async function enforce(
  c: Context<{ Bindings: Env }>,
  rule: RuleName,
  key: string,
  onFailure: LimiterFailure,
): Promise<void> {
  const { fastRead, config } = fastReadFor(c.env);
  const decision = await fastRead.limit(config.rules[rule], key, onFailure);
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new HttpError(
    429,
    decision.degraded ? "rate_limiter_unavailable" : "rate_limited",
    decision.degraded
      ? "the rate limiter is unavailable and this route fails closed; retry shortly"
      : `too many ${rule} requests; retry in ${seconds} s`,
    undefined,
    { "Retry-After": String(seconds) },
  );
}
