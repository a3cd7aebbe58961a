/**
 * The live protocol between an edge room and a viewer (WebSocket and SSE): the one place
 * where a frame from the wire becomes a typed message, shared by server and client.
 * Documented message by message in docs/protocol.md.
 */
// zod/mini: the same schemas and checks as zod, in a form a browser bundle can afford (the
// client and the pages parse every server frame with these; the server uses them too).
import * as z from "zod/mini";

export * from "./live-constants.ts";

/** A JSON value, as the state and patch values are. */
const json = z.json();
export type JsonValue = z.infer<typeof json>;

/** One RFC 6902 operation. Values are not inspected here; applying the patch checks them. */
export const patchOperationSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("add"), path: z.string(), value: json }),
  z.object({ op: z.literal("remove"), path: z.string() }),
  z.object({ op: z.literal("replace"), path: z.string(), value: json }),
  z.object({ op: z.literal("move"), path: z.string(), from: z.string() }),
  z.object({ op: z.literal("copy"), path: z.string(), from: z.string() }),
  z.object({ op: z.literal("test"), path: z.string(), value: json }),
]);
export type PatchOperation = z.infer<typeof patchOperationSchema>;

const seq = z.int().check(z.minimum(0));
const matchId = z.string().check(z.minLength(1), z.maxLength(128));
const epoch = z.string().check(z.minLength(1), z.maxLength(64));

/** Server → client: the full state at `seq`. Always the first message unless a resume succeeded. */
export const snapshotMessageSchema = z.object({
  type: z.literal("snapshot"),
  matchId,
  epoch,
  seq,
  state: json,
  /** False: continuity did not hold (or this is a first connection): replace whatever you held. */
  resumed: z.optional(z.literal(false)),
});

/** Server → client: the JSON Patch from the state at `prev` to the state at `seq`. */
export const patchMessageSchema = z.object({
  type: z.literal("patch"),
  matchId,
  seq,
  prev: seq,
  ops: z.array(patchOperationSchema),
  /** Set on the patches replayed in answer to a resume: continuity held. */
  resumed: z.optional(z.literal(true)),
});

/**
 * Server → client, instead of `patch` for a client that connected with `format=fossil`: a
 * fossil delta (base64) from the canonical text of the state at `prev` to that at `seq`.
 */
export const deltaMessageSchema = z.object({
  type: z.literal("delta"),
  matchId,
  seq,
  prev: seq,
  delta: z.string(),
  resumed: z.optional(z.literal(true)),
});

/** Server → client, now and then (at least every 5 s): the newest seq and who is watching. */
export const presenceMessageSchema = z.object({
  type: z.literal("presence"),
  matchId,
  seq,
  viewers: z.int().check(z.minimum(0)),
  /** True when the count is the last known one (the presence source is unavailable). */
  stale: z.optional(z.boolean()),
  /** Set on the presence that ends a successful resume (after any replayed patches). */
  resumed: z.optional(z.literal(true)),
});

/** Server → client, just before the server closes for overload or restart. */
export const retryMessageSchema = z.object({
  type: z.literal("retry"),
  afterMs: z.int().check(z.minimum(0)),
  reason: z.optional(z.string().check(z.maxLength(200))),
});

/** Server → client: the auto-response to a heartbeat ping. */
export const pongMessageSchema = z.object({ type: z.literal("pong") });

/** What a room sends on any feed, beside the feed's own messages (the ticker's: ./ticker.ts). */
export const feedControlSchemas = [retryMessageSchema, pongMessageSchema] as const;

export const serverMessageSchema = z.discriminatedUnion("type", [
  snapshotMessageSchema,
  patchMessageSchema,
  deltaMessageSchema,
  presenceMessageSchema,
  ...feedControlSchemas,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type SnapshotMessage = z.infer<typeof snapshotMessageSchema>;
export type PatchMessage = z.infer<typeof patchMessageSchema>;
export type DeltaMessage = z.infer<typeof deltaMessageSchema>;
export type PresenceMessage = z.infer<typeof presenceMessageSchema>;
export type RetryMessage = z.infer<typeof retryMessageSchema>;

/**
 * Client → server. The only three kinds a viewer may send; anything else, or anything
 * over {@link MAX_CLIENT_MESSAGE_BYTES}, closes the socket with 1008.
 * - `subscribe`: optional first message, same meaning as the `since`/`epoch` query parameters.
 * - `resume`: ask for what was missed since `seq` of `epoch` (a gap, a failed patch).
 * - `ping`: a heartbeat; with `seq` it also acknowledges the newest version applied, which
 *   is how the room tells a slow reader from a fast one.
 */
export const clientMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("subscribe"), since: z.optional(seq), epoch: z.optional(epoch) }),
  z.strictObject({ type: z.literal("resume"), since: seq, epoch }),
  z.strictObject({ type: z.literal("ping"), seq: z.optional(seq) }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const MAX_CLIENT_MESSAGE_BYTES = 256;

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; reason: string };

/** Parses one client frame, refusing binary, oversized or unknown frames with a reason for the close. */
export function parseClientMessage(frame: string | ArrayBuffer): ParsedClientMessage {
  if (typeof frame !== "string") return { ok: false, reason: "binary frames are not accepted" };
  if (frame.length > MAX_CLIENT_MESSAGE_BYTES) return { ok: false, reason: "message too large" };
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return { ok: false, reason: "message is not JSON" };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: "only subscribe, resume and ping are accepted" };
  return { ok: true, message: parsed.data };
}
