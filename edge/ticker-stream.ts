/**
 * A ticker room's stream decisions, pure like edge/room-stream.ts: what a publication from the
 * parent is to the room, and how a viewer (joining, or resuming with `since`) gets in step.
 * Versions are the ticker's own, numbered by the match index, one per change of one match.
 */
import { continuousChain, judgePatch } from "../protocol/continuity.ts";
import {
  entryFrame,
  type Headline,
  headlinesFrame,
  resumedFrame,
  type TickerEntry,
  type TickerPublication,
} from "../protocol/ticker.ts";

/** The ticker position a room holds (epoch null before its first state): `{epoch, seq}` as every feed's. */
export interface TickerHead {
  epoch: string | null;
  seq: number;
}

export type TickerArrival =
  /** Every headline: replace what is held, send everyone the whole list. */
  | { kind: "full" }
  /** Changes that continue the head (older ones already dropped): apply and send them. */
  | { kind: "next"; entries: TickerEntry[] }
  /** Nothing new. */
  | { kind: "duplicate" }
  /** Something between the head and these is missing, or another history: pull. */
  | { kind: "hole" };

export function classifyTickerArrival(head: TickerHead, publication: TickerPublication): TickerArrival {
  if (publication.kind === "full") return { kind: "full" };
  if (publication.epoch !== head.epoch) return { kind: "hole" };
  const entries: TickerEntry[] = [];
  let held = head.seq;
  for (const entry of publication.entries) {
    const verdict = judgePatch(held, { seq: entry.seq, prev: entry.prev });
    if (verdict === "duplicate") continue;
    if (verdict !== "apply") return { kind: "hole" };
    entries.push(entry);
    held = entry.seq;
  }
  return entries.length > 0 ? { kind: "next", entries } : { kind: "duplicate" };
}

/** What a room does with a batch from its parent, step by step. */
export type TickerStep =
  | { kind: "full"; full: Extract<TickerPublication, { kind: "full" }> }
  | { kind: "next"; epoch: string; entries: TickerEntry[] }
  /** A hole, another history's changes, or no state yet: pull from the source (which brings the rest). */
  | { kind: "pull" };

/**
 * A batch of publications from the parent as steps, each judged against the position the steps
 * before it reach; the first hole ends the plan with a pull, and the list the room already holds
 * is no step. `held`: whether the room holds the headlines at all (a room without them pulls
 * before anything else).
 */
export function planTickerBatch(
  head: TickerHead,
  held: boolean,
  batch: readonly TickerPublication[],
): TickerStep[] {
  if (!held) return [{ kind: "pull" }];
  const steps: TickerStep[] = [];
  let at = head;
  for (const publication of batch) {
    const arrival = classifyTickerArrival(at, publication);
    if (arrival.kind === "hole") return [...steps, { kind: "pull" }];
    if (publication.kind === "full") {
      // The very list the room holds (a pull that crossed the publication) changes nothing.
      if (publication.epoch !== at.epoch || publication.seq !== at.seq)
        steps.push({ kind: "full", full: publication });
      at = { epoch: publication.epoch, seq: publication.seq };
    } else if (arrival.kind === "next") {
      steps.push({ kind: "next", epoch: publication.epoch, entries: arrival.entries });
      at = { epoch: publication.epoch, seq: arrival.entries.at(-1)?.seq ?? at.seq };
    }
  }
  return steps;
}

/**
 * The changes from `since` to `head`, continuous, out of a log or a ring ordered by seq; null
 * when it does not reach back that far or a link is missing. The one chain rule of every replay
 * (protocol/continuity.ts), applied to ticker changes.
 */
export function entriesSince(
  since: number,
  head: number,
  entries: readonly TickerEntry[],
): TickerEntry[] | null {
  const chain = continuousChain(
    since,
    head,
    entries.map((entry) => ({ seq: entry.seq, prev: entry.prev, entry })),
  );
  return chain?.map((link) => link.entry) ?? null;
}

/** How a viewer gets in step: the changes it missed (a resume the room can honour), or every headline. */
export type TickerSync = { kind: "replay"; entries: TickerEntry[] } | { kind: "full" };

/**
 * @param ringSince the ring's continuous changes from a seq to the head (storage/headline-store.ts,
 *   on protocol/continuity.ts's chain rule), or null when it does not reach back that far.
 */
export function planTickerSync(
  head: TickerHead,
  since: number | undefined,
  epoch: string | undefined,
  ringSince: (since: number) => TickerEntry[] | null,
): TickerSync {
  if (since === undefined || head.epoch === null || epoch !== head.epoch) return { kind: "full" };
  const entries = ringSince(since);
  return entries ? { kind: "replay", entries } : { kind: "full" };
}

/** A list of headlines with changes applied, in ticker order (live first is the page's business). */
export function applyEntries(headlines: readonly Headline[], entries: readonly TickerEntry[]): Headline[] {
  const byId = new Map(headlines.map((h) => [h.matchId, h]));
  for (const entry of entries) {
    if (entry.kind === "headline") byId.set(entry.headline.matchId, entry.headline);
    else byId.delete(entry.matchId);
  }
  return [...byId.values()];
}

/**
 * A viewer resuming from a version this room has not reached yet (it followed another shard
 * or region that was ahead): the room catches up first, so it never answers with an older list.
 */
export function viewerAhead(head: TickerHead, since: number | undefined, epoch: string | undefined): boolean {
  return since !== undefined && epoch !== undefined && epoch === head.epoch && since > head.seq;
}

/** A sync's frames: the replayed changes then `resumed`, or every headline (read only then). */
export function syncFrames(plan: TickerSync, head: TickerHead, headlines: () => Headline[]): string[] {
  const epoch = head.epoch ?? "0";
  return plan.kind === "replay"
    ? [...plan.entries.map((entry) => entryFrame(entry, true)), resumedFrame(epoch, head.seq)]
    : [headlinesFrame(epoch, head.seq, headlines())];
}
