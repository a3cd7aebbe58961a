/**
 * Partner webhooks: the admin API's bodies and replies, and the messages the webhook queues
 * carry between the ledger, the fan-out and the delivery consumers (docs/webhooks.md). Every
 * queue message is parsed on receipt, never cast: a message enqueued by an older deploy (or a
 * hand-sent one) must be refused with a reason, not half-used.
 */
import { z } from "zod";
import { MOMENT_KINDS, type MomentBase } from "./moments.ts";
import { isValidMatchId } from "./provider-events.ts";

/**
 * A moment as a queue carries it: the base fields checked, the kind-specific ones kept as they
 * are (the body a partner receives is the moment as the engine made it).
 */
export const momentSchema = z.looseObject({
  id: z.string().min(1).max(512),
  kind: z.enum(MOMENT_KINDS),
  matchId: z.string().refine(isValidMatchId, "not a match id"),
  seq: z.number().int().min(0),
  ts: z.string(),
  innings: z.number().int().min(0),
  /** A retraction's kind taken back: the kinds filter passes it to those who wanted that kind. */
  retractedKind: z.enum(MOMENT_KINDS).optional(),
});
export type QueuedMoment = MomentBase & Record<string, unknown>;

/** One moment for one endpoint, on the deliveries queue. */
export const deliveryMessageSchema = z.object({
  endpointId: z.string().min(1).max(64),
  moment: momentSchema,
  /** When the delivery was first enqueued (ms): its retries last a window from here. */
  enqueuedAt: z.number().int().min(0),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/**
 * What the dead-letter queue receives: a delivery the consumer gave up on (with why and its
 * last error), or, from the queue's own max_retries backstop, the delivery message as it was.
 */
export const deadDeliveryMessageSchema = deliveryMessageSchema.extend({
  attempts: z.number().int().min(0).optional(),
  reason: z.string().max(200).optional(),
  lastError: z.string().max(500).nullable().optional(),
});
export type DeadDeliveryMessage = z.infer<typeof deadDeliveryMessageSchema>;

/** A match id, or a prefix of one ending in `*`. */
const matchPattern = z
  .string()
  .refine(
    (p) => (p.endsWith("*") ? p === "*" || isValidMatchId(p.slice(0, -1)) : isValidMatchId(p)),
    "each entry is a match id, or a prefix of one ending in *",
  );

/** `POST /v1/admin/webhooks`. Omitted kinds or matches mean all of them. */
export const createEndpointSchema = z.strictObject({
  url: z.string({ error: "url is required: the receiver's https URL" }),
  kinds: z
    .array(z.enum(MOMENT_KINDS, { error: `each kind is one of ${MOMENT_KINDS.join(", ")}` }))
    .min(1, "kinds, when given, names at least one kind (omit it for every kind)")
    .max(MOMENT_KINDS.length)
    .optional(),
  matches: z
    .array(matchPattern)
    .min(1, "matches, when given, names at least one match (omit it for every match)")
    .max(100)
    .optional(),
});
export type CreateEndpoint = z.infer<typeof createEndpointSchema>;

export const ENDPOINT_ACTIONS = ["pause", "resume", "rotate"] as const;
/** `PATCH /v1/admin/webhooks/:id`. */
export const patchEndpointSchema = z.strictObject({
  action: z.enum(ENDPOINT_ACTIONS, { error: `action is one of ${ENDPOINT_ACTIONS.join(", ")}` }),
});

/** An endpoint as the admin API lists it: never its secret. */
export interface EndpointView {
  id: string;
  url: string;
  kinds: string[] | null;
  matches: string[] | null;
  status: "active" | "paused";
  /** Why it is paused ("operator", or the automatic pause's reason); null when active. */
  pausedReason: string | null;
  createdAt: string;
  /** Until when the previous secret still signs (after a rotation); null when none does. */
  previousSecretUntil: string | null;
}

export interface EndpointStats {
  attempts: number;
  successes: number;
  failures: number;
  /** Over the latest attempts (`window` of them, at most 100). */
  recent: { window: number; successRate: number | null; p50Ms: number | null; p95Ms: number | null };
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  /** Since when every attempt has failed (the automatic pause counts from here); null when healthy. */
  failingSince: string | null;
  deadLetters: number;
}

export interface EndpointDetail extends EndpointView {
  stats: EndpointStats;
}

/** A delivery that was given up on, kept until replayed. */
export interface WebhookDeadLetter {
  momentId: string;
  kind: string;
  matchId: string;
  seq: number;
  reason: string;
  attempts: number | null;
  lastError: string | null;
  deadAt: string;
  replayedAt: string | null;
}
