/**
 * A room's stream decisions, as pure functions: what an incoming version is to the room,
 * how a viewer catches up, when a reader is too slow, which children still count. The
 * Durable Object asks and carries the answer out (send, persist, pull); nothing here touches
 * a socket, storage or the clock, so every rule is testable under Node.
 */
import { continuousChain, judgePatch } from "../protocol/continuity.ts";
import type { Moment } from "../protocol/moments.ts";
import type { Publication, PublishedPatch, ResumeAnswer } from "../protocol/publication.ts";
import { ANY_EPOCH } from "../protocol/room-handoff.ts";

/** The version a room holds: its consumer offset (epoch null before the first). */
export interface Head {
  epoch: string | null;
  seq: number;
}

/** What a version from the parent is to a room holding `head`. */
export type Arrival =
  /** A new history: take its state, drop the ring, send everyone a snapshot. */
  | "reset"
  /** Continues the head: deliver it. */
  | "next"
  /** Already held: ignore it (publishing is idempotent). */
  | "duplicate"
  /** Something between the head and it is missing (or it is of a history we never saw): pull. */
  | "hole";

export function classifyArrival(head: Head, publication: Publication): Arrival {
  if (publication.kind === "reset") return "reset";
  if (publication.epoch !== head.epoch) return "hole";
  const verdict = judgePatch(head.seq, publication);
  return verdict === "apply" ? "next" : verdict === "duplicate" ? "duplicate" : "hole";
}

/** One thing a room does with the publications that arrived: in the order they must happen. */
export type ArrivalStep =
  /** Consecutive versions on top of the head: accepted, then sent as one frame (coalesced), then their moments. */
  | { kind: "run"; patches: Extract<Publication, { kind: "patch" }>[]; moments: Moment[] }
  /** A new history: every viewer gets the whole state, then its moments. */
  | { kind: "reset"; publication: Extract<Publication, { kind: "reset" }> }
  /** Something is missing before the next one: pull, then plan what is left (`rest`). */
  | { kind: "hole" };

/**
 * Plans a batch of publications against the head: runs of consecutive versions (so a room that
 * fell behind catches up in one send), resets, and the first hole, after which the rest waits
 * for the pull (it may bring them all). Duplicates are dropped (publishing is idempotent).
 */
export function planArrivals(
  head: Head,
  batch: readonly Publication[],
): { steps: ArrivalStep[]; rest: Publication[] } {
  const steps: ArrivalStep[] = [];
  let run: Extract<ArrivalStep, { kind: "run" }> | null = null;
  let held = head;
  for (const [i, publication] of batch.entries()) {
    const arrival = classifyArrival(held, publication);
    if (arrival === "duplicate") continue;
    if (arrival === "next" && publication.kind === "patch") {
      if (!run) {
        run = { kind: "run", patches: [], moments: [] };
        steps.push(run);
      }
      run.patches.push(publication);
      run.moments.push(...(publication.moments ?? []));
      held = { epoch: publication.epoch, seq: publication.seq };
      continue;
    }
    run = null;
    if (arrival === "reset" && publication.kind === "reset") {
      steps.push({ kind: "reset", publication });
      held = { epoch: publication.epoch, seq: publication.seq };
      continue;
    }
    steps.push({ kind: "hole" });
    return { steps, rest: batch.slice(i + 1) };
  }
  return { steps, rest: [] };
}

/** What a pull from the ledger means for a room holding `head`. */
export type PullOutcome =
  | { kind: "reset"; publication: Extract<Publication, { kind: "reset" }> }
  | { kind: "deliver"; patches: PublishedPatch[] }
  | { kind: "nothing" };

/**
 * The versions a pull adds on top of the head, in order, each continuing the one before;
 * a snapshot answer is a new history. A chain that does not continue the head delivers
 * nothing (the next tick pulls again): deliver or pull, never skip, never repeat.
 */
export function pullOutcome(matchId: string, head: Head, answer: ResumeAnswer | null): PullOutcome {
  if (!answer) return { kind: "nothing" };
  if (answer.kind === "snapshot") {
    const { epoch, seq, state } = answer;
    return { kind: "reset", publication: { kind: "reset", matchId, epoch, seq, state } };
  }
  if (answer.epoch !== head.epoch || answer.seq <= head.seq) return { kind: "nothing" };
  const patches = continuousChain(head.seq, answer.seq, answer.patches);
  return patches && patches.length > 0 ? { kind: "deliver", patches } : { kind: "nothing" };
}

/** How a viewer joining (or resuming) gets in step with the room. */
export type SyncPlan =
  /** Replay the versions after `since` (the ring, else the ledger's log), then a resumed presence. */
  | { kind: "replay"; since: number }
  /** The whole state at the head. */
  | { kind: "snapshot" };

/** A resume is a replay only when the viewer's history is the room's and it is not ahead of it. */
export function planSync(head: Head, since: number | undefined, epoch: string | undefined): SyncPlan {
  if (since === undefined || epoch === undefined || head.epoch === null) return { kind: "snapshot" };
  const sameHistory = epoch === head.epoch || epoch === ANY_EPOCH;
  return sameHistory && since <= head.seq ? { kind: "replay", since } : { kind: "snapshot" };
}

/**
 * The ledger's answer to a viewer's replay, cut at the room's head; null means "send the
 * snapshot". The answer was read outside the room's queue (so a slow ledger never holds up
 * the live feed), and the room may have moved on since: `ringTail` is the room's ring from the
 * answer's last seq to its head (empty when the answer reaches the head; null when the ring
 * no longer reaches back to it).
 */
export function replayFromLedger(
  head: Head,
  since: number,
  answer: ResumeAnswer | null,
  ringTail: readonly PublishedPatch[] | null = [],
): PublishedPatch[] | null {
  if (answer?.kind !== "patches" || answer.epoch !== head.epoch || ringTail === null) return null;
  return continuousChain(since, head.seq, [...answer.patches, ...ringTail]);
}

/**
 * The seq to pull from the ledger for a viewer's plan, or null when none is needed (a
 * snapshot, or a replay the ring reaches). The room starts that (shared) read before
 * queueing the viewer, not inside the queue.
 */
export function ledgerPullSince(plan: SyncPlan, ringReaches: (since: number) => boolean): number | null {
  return plan.kind === "replay" && !ringReaches(plan.since) ? plan.since : null;
}

/** The key identical ledger pulls share: the same history from the same seq. */
export function pullKey(epoch: string, since: number): string {
  return `${epoch}:${since}`;
}

/**
 * A socket gets at most one snapshot per cooldown (its own asking: a resume from another
 * history or from too far back, a conflated reader speaking again). One asked for sooner is
 * owed, and sent by the first presence tick after the cooldown. Snapshots the room broadcasts
 * to everyone (a new epoch) are not asked for and do not count.
 */
export function snapshotAllowed(lastSnapshotAt: number | null, now: number, cooldownMs: number): boolean {
  return lastSnapshotAt === null || now - lastSnapshotAt >= cooldownMs;
}

/** What the room knows of one reader, from its socket's attachment. */
export interface Reader {
  joinedAt: number;
  /** The last frame the room itself received from it (null: none yet). */
  heardAt: number | null;
  ready: boolean;
  bridge: boolean;
  lagging: boolean;
  ackSeq: number | null;
  ackAt: number | null;
}

export interface SlowReaderPolicy {
  /** Versions behind the head a reader may be before it counts as slow... */
  behindVersions: number;
  /** ...for this long without a new acknowledgement. */
  afterMs: number;
  /** A conflated reader silent this long is closed. */
  closeAfterMs: number;
  /** A socket that sent nothing at all (no ping, no ack) for this long is closed. */
  silentAfterMs: number;
}

/**
 * - `keep`: leave it be.
 * - `conflate`: no more patches; the newest state when it speaks again.
 * - `tooSlow`: conflated and still not acknowledging: close with 4008.
 * - `silent`: nothing heard for the heartbeat window, not even a ping the runtime answered:
 *   probably dead; close with 4009 (a live client reconnects and resumes).
 */
export type ReaderVerdict = "keep" | "conflate" | "tooSlow" | "silent";

/**
 * Judges one socket at a presence tick. `autoResponseAt` is when the runtime last answered the
 * socket's plain heartbeat without waking the room (`getWebSocketAutoResponseTimestamp`):
 * together with the frames the room saw, it says when the client was last heard at all.
 *
 * Silence first: a socket that sends nothing is closed whatever else it is. Then slow readers:
 * one that acknowledges but stays far behind is conflated, and closed if it stays silent. A
 * reader that pings but never acknowledges cannot be judged slow. The SSE bridge is never
 * judged here: the Worker holds it, pings nothing, and bounds its reader's queue itself.
 */
export function judgeReader(
  reader: Reader,
  headSeq: number,
  now: number,
  autoResponseAt: number | null,
  policy: SlowReaderPolicy,
): ReaderVerdict {
  if (reader.bridge) return "keep";
  if (now - lastHeardAt(reader, autoResponseAt) > policy.silentAfterMs) return "silent";
  if (!reader.ready || reader.ackAt === null || reader.ackSeq === null) return "keep";
  const silentFor = now - reader.ackAt;
  if (reader.lagging) return silentFor > policy.closeAfterMs ? "tooSlow" : "keep";
  return headSeq - reader.ackSeq > policy.behindVersions && silentFor > policy.afterMs ? "conflate" : "keep";
}

/** When the client was last heard: its newest frame, its newest auto-answered ping, or its arrival. */
export function lastHeardAt(reader: Reader, autoResponseAt: number | null): number {
  return Math.max(reader.joinedAt, reader.heardAt ?? reader.joinedAt, autoResponseAt ?? reader.joinedAt);
}

/** Children that have not reported within the timeout have left the tree. */
export function expiredChildren(
  children: readonly { shard: number; reportedAt: number }[],
  now: number,
  timeoutMs: number,
): number[] {
  return children.filter((c) => now - c.reportedAt > timeoutMs).map((c) => c.shard);
}

/** The parent's version says we missed something (a lost last notification on a quiet match). */
export function behindUpstream(head: Head, upstream: { epoch: string | null; seq: number }): boolean {
  return upstream.epoch !== null && (upstream.epoch !== head.epoch || upstream.seq > head.seq);
}
