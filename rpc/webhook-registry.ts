/**
 * The partner webhooks' registry (durable-objects/webhook-registry.ts, docs/webhooks.md): one
 * object in the central region. What it answers over RPC, and its stub.
 */
import { readConfig } from "../config/crease-config.ts";
import type { Subscriber } from "../origin/webhooks/endpoint-filter.ts";
import type {
  CreateEndpoint,
  DeadDeliveryMessage,
  EndpointDetail,
  EndpointView,
  QueuedMoment,
  WebhookDeadLetter,
} from "../protocol/webhooks.ts";
import { typedStub } from "./typed-stub.ts";

/** What the delivery consumer needs to POST to an endpoint: its URL and the secrets that sign. */
export interface DeliveryTarget {
  id: string;
  url: string;
  status: "active" | "paused";
  /** The endpoint's `matches` filter: a private match's moment goes only where it is named exactly. */
  matches: string[] | null;
  /** The current secret first, then the previous one during a rotation's grace period. */
  secrets: string[];
}

/** One attempt's outcome, as the delivery consumer reports it. */
export interface AttemptReport {
  endpointId: string;
  momentId: string;
  at: number;
  ok: boolean;
  latencyMs: number;
  /** The HTTP status, or null for a timeout or a network error. */
  status: number | null;
  error: string | null;
}

export interface WebhookRegistryRpc {
  create(input: CreateEndpoint, now: number): Promise<{ id: string; secret: string }>;
  list(): Promise<EndpointView[]>;
  get(id: string): Promise<EndpointDetail | null>;
  /** Pause or resume; false for an unknown endpoint. */
  setStatus(id: string, status: "active" | "paused", now: number): Promise<boolean>;
  /** A new secret (returned once); the old one keeps signing for the grace period. Null when unknown. */
  rotate(id: string, now: number, graceMs: number): Promise<{ secret: string; previousUntil: string } | null>;
  remove(id: string): Promise<boolean>;
  /** Every endpoint's filter and status: the fan-out matches moments against them. */
  subscribers(): Promise<Subscriber[]>;
  /** The endpoints of a batch of deliveries (unknown ids are simply absent). */
  targets(ids: string[], now: number): Promise<DeliveryTarget[]>;
  /** Counts attempts, keeps the recent window, and pauses an endpoint that failed everything too long. */
  recordAttempts(reports: AttemptReport[], pauseAfterMs: number): Promise<{ paused: string[] }>;
  recordDeadLetters(deliveries: DeadDeliveryMessage[], now: number): Promise<void>;
  deadLetters(id: string): Promise<WebhookDeadLetter[] | null>;
  /** The moments of an endpoint's dead letters not yet replayed, for the replay to enqueue. */
  pendingDeadLetters(id: string): Promise<QueuedMoment[] | null>;
  /** Marks these as replayed, unless they died again after `now` (when the replay read them). */
  markReplayed(id: string, momentIds: string[], now: number): Promise<void>;
}

/** The deployment's one registry. */
export function webhookRegistryStub(env: Env): WebhookRegistryRpc {
  return typedStub<WebhookRegistryRpc>(env.WEBHOOK_REGISTRY, "all", readConfig(env).ledger.locationHint);
}
