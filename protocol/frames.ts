/**
 * Encoders for every server → client frame. Each builds its message with `satisfies`, so a
 * frame the server sends cannot drift from the schema the client parses it with.
 */
import type {
  DeltaMessage,
  JsonValue,
  PatchMessage,
  PresenceMessage,
  RetryMessage,
  SnapshotMessage,
} from "./live-messages.ts";
import type { Moment, MomentMessage } from "./moments.ts";
import type { PublishedPatch } from "./publication.ts";
import type { LiveFormat } from "./state-delta.ts";

export function snapshotFrame(matchId: string, epoch: string, seq: number, state: JsonValue): string {
  return JSON.stringify({ type: "snapshot", matchId, epoch, seq, state } satisfies SnapshotMessage);
}

/** A version as each wire format sends it, serialised once for every socket of that format. */
export function versionFrames(
  matchId: string,
  entry: PublishedPatch,
  resumed: boolean,
): Record<LiveFormat, string> {
  const flag = resumed ? { resumed: true as const } : {};
  const { seq, prev } = entry;
  return {
    "json-patch": JSON.stringify({
      type: "patch",
      matchId,
      seq,
      prev,
      ops: entry.ops,
      ...flag,
    } satisfies PatchMessage),
    fossil: JSON.stringify({
      type: "delta",
      matchId,
      seq,
      prev,
      delta: entry.delta,
      ...flag,
    } satisfies DeltaMessage),
  };
}

/**
 * A run of consecutive versions as the room sends it when they arrived faster than it could
 * send them: one JSON Patch spanning the run (`prev` the first one's, `seq` the last one's, the
 * operations in order; a client holding `prev` ends at `seq` exactly as if it had applied each),
 * but each fossil delta on its own (a delta only goes from one text to the next).
 */
export function coalescedFrames(
  matchId: string,
  entries: readonly PublishedPatch[],
): Record<LiveFormat, string[]> {
  const first = entries[0];
  const last = entries.at(-1);
  if (!first || !last) return { "json-patch": [], fossil: [] };
  const merged = JSON.stringify({
    type: "patch",
    matchId,
    seq: last.seq,
    prev: first.prev,
    ops: entries.flatMap((e) => e.ops),
  } satisfies PatchMessage);
  return {
    "json-patch": [merged],
    fossil: entries.map((e) => versionFrames(matchId, e, false).fossil),
  };
}

/** One moment, to the sockets that asked for them (`?moments=1`). */
export function momentFrame(matchId: string, moment: Moment): string {
  return JSON.stringify({ type: "moment", matchId, moment } satisfies MomentMessage);
}

export function presenceFrame(
  matchId: string,
  seq: number,
  viewers: number,
  opts: { stale?: boolean; resumed?: boolean } = {},
): string {
  return JSON.stringify({
    type: "presence",
    matchId,
    seq,
    viewers,
    ...(opts.stale ? { stale: true } : {}),
    ...(opts.resumed ? { resumed: true as const } : {}),
  } satisfies PresenceMessage);
}

export function retryFrame(afterMs: number, reason: string): string {
  return JSON.stringify({
    type: "retry",
    afterMs: Math.max(0, Math.round(afterMs)),
    reason,
  } satisfies RetryMessage);
}

/**
 * The SSE bridge's last event to a reader it cuts: `retry:` sets the EventSource's own
 * reconnection delay to the hint, and the event carries the same `retry` message as a socket
 * gets, so a hand-written reader can see why.
 */
export function sseRetryEvent(afterMs: number, reason: string): string {
  const frame = retryFrame(afterMs, reason);
  return `retry: ${Math.max(0, Math.round(afterMs))}\nevent: retry\ndata: ${frame}\n\n`;
}
