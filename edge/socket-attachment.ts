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
  /** The newest seq the client acknowledged (`ping` with `seq`), and when (a ticker socket from before the core: none). */
  ackSeq: z.number().nullable().default(null),
  ackAt: z.number().nullable().default(null),
  /** Conflated: the client fell behind, so it gets no patches until it acknowledges again, then one snapshot. */
  lagging: z.boolean().default(false),
  /** An internal bridge (the SSE route), never conflated or timed out for missing acks. */
  bridge: z.boolean(),
  /** JSON Patch (default) or fossil deltas, as the client asked when it connected. */
  format: z.enum(LIVE_FORMATS).default("json-patch"),
  // The fields below came later: their defaults keep a socket accepted before them readable.
  /** The last frame the room received from this socket; with the runtime's auto-answered pings, how silence is judged. */
  heardAt: z.number().nullable().default(null),
  /** The socket's frame meter (edge/frame-meter.ts); null until its first frame: a full bucket. */
  meter: z.object({ tokens: z.number(), at: z.number() }).nullable().default(null),
  /** When this socket last got a snapshot it asked for (connecting, resuming): at most one per cooldown. */
  snapshotAt: z.number().nullable().default(null),
  /** A snapshot asked for inside the cooldown: the first presence tick after it sends one. */
  snapshotOwed: z.boolean().default(false),
  /** Snapshots go to this socket as one binary frame, gzipped (`?snapshot=gzip`). */
  gzip: z.boolean().default(false),
  /** `moment` messages go to this socket too (`?moments=1`). */
  moments: z.boolean().default(false),
  /** What this socket's resumes made the room send (edge/resume-meter.ts); null until its first. */
  resume: z
    .object({
      unreadBytes: z.number(),
      throughSeq: z.number(),
      tokens: z.number(),
      at: z.number(),
      answeringSince: z.number().nullable(),
    })
    .nullable()
    .default(null),
});
export type SocketAttachment = z.infer<typeof socketAttachmentSchema>;

export function readAttachment(ws: WebSocket): SocketAttachment | null {
  return parseAttachment(ws.deserializeAttachment());
}

export function parseAttachment(raw: unknown): SocketAttachment | null {
  const parsed = socketAttachmentSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** A socket's attachment as it is accepted: nothing heard, nothing sent, not ready; `extras` are the feed's. */
export function freshAttachment(
  joinedAt: number,
  bridge: boolean,
  extras: Partial<SocketAttachment> = {},
): SocketAttachment {
  return {
    joinedAt,
    ready: false,
    ackSeq: null,
    ackAt: null,
    lagging: false,
    bridge,
    format: "json-patch",
    heardAt: null,
    meter: null,
    snapshotAt: null,
    snapshotOwed: false,
    gzip: false,
    moments: false,
    resume: null,
    ...extras,
  };
}
