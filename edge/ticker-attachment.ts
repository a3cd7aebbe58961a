import { z } from "zod";

/**
 * What a ticker room remembers about one socket, in the socket's attachment so hibernation
 * keeps it; parsed field by field on every read (an attachment is a boundary too).
 */
export const tickerAttachmentSchema = z.object({
  joinedAt: z.number(),
  /** False until its first headlines (or resumed changes) went out: broadcasts skip it until then. */
  ready: z.boolean(),
  /** The SSE route's internal socket: never judged silent (the Worker holds it). */
  bridge: z.boolean(),
  /** The last frame the room received from it; with auto-answered pings, how silence is judged. */
  heardAt: z.number().nullable(),
  /** The frame meter's bucket (edge/frame-meter.ts); null until the first frame: full. */
  meter: z.object({ tokens: z.number(), at: z.number() }).nullable(),
});
export type TickerAttachment = z.infer<typeof tickerAttachmentSchema>;

export function readTickerAttachment(ws: WebSocket): TickerAttachment | null {
  const parsed = tickerAttachmentSchema.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

/**
 * Silent: nothing heard from it (no frame, no ping the runtime answered while the room slept)
 * for `silentAfterMs` since it joined. The SSE bridge is never silent. Pure: times passed in.
 */
export function tickerReaderSilent(
  reader: TickerAttachment,
  autoResponseAt: number | null,
  now: number,
  silentAfterMs: number,
): boolean {
  if (reader.bridge) return false;
  const heard = Math.max(reader.joinedAt, reader.heardAt ?? 0, autoResponseAt ?? 0);
  return now - heard > silentAfterMs;
}
