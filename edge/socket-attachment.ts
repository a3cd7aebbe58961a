import { z } from "zod";
import { LIVE_FORMATS } from "../protocol/state-delta.ts";

/**
 * What a room remembers about one socket, stored in the socket's attachment so it survives
 * hibernation (instance fields do not). Parsed field by field on every read: an attachment
 * is a boundary too.
 */
export const socketAttachmentSchema = z.object({
  joinedAt: z.number(),
  /** False until the socket's first snapshot or resumed patches went out: broadcasts skip it until then. */
  ready: z.boolean(),
  /** The newest seq the client acknowledged (`ping` with `seq`), and when. */
  ackSeq: z.number().nullable(),
  ackAt: z.number().nullable(),
  /** Conflated: the client fell behind, so it gets no patches until it acknowledges again, then one snapshot. */
  lagging: z.boolean(),
  /** An internal bridge (the SSE route), never conflated or timed out for missing acks. */
  bridge: z.boolean(),
  /** JSON Patch (default) or fossil deltas, as the client asked when it connected. */
  format: z.enum(LIVE_FORMATS).default("json-patch"),
});
export type SocketAttachment = z.infer<typeof socketAttachmentSchema>;

export function readAttachment(ws: WebSocket): SocketAttachment | null {
  const parsed = socketAttachmentSchema.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}
