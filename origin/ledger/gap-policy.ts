/**
 * What a ledger does when its gap timeout fires, and which seqs are "within reach": the
 * pure half of the gap policy (docs/decisions.md, "Out-of-order events"). The sequencer
 * carries the decision out; nothing here touches storage or a clock.
 *
 * The bet: a hole of a few seqs is a lost event, worth moving past; a hole of thousands is
 * almost always a mistyped seq (9005 for 5), and skipping it would make every later real
 * event "late", each one a recompute and a new epoch for every viewer. So the ledger skips
 * at most `maxSkip` missing seqs, and parks what lies beyond a larger hole instead.
 */

/** The gap timeout's verdict on the first hole after the cursor. */
export type GapDecision =
  /** Nothing buffered, or the next seq is already there: nothing to move past. */
  | { kind: "none" }
  /** A small hole: record it (an open hole until filled or acknowledged) and move past it. */
  | { kind: "skip"; fromSeq: number; toSeq: number }
  /**
   * A hole larger than `maxSkip`: every buffered event lies beyond it, so every one is parked
   * as a dead letter `too far ahead`; the cursor stays and waits for `fromSeq`.
   */
  | { kind: "park"; fromSeq: number; toSeq: number };

/**
 * @param cursor the seq through which the ledger has applied (or skipped, or parked) events.
 * @param firstBuffered the smallest seq stored above the cursor, or null when none is.
 * @param maxSkip the most missing seqs one timeout may move past (`LEDGER_MAX_SKIP`).
 */
export function decideAtGapTimeout(
  cursor: number,
  firstBuffered: number | null,
  maxSkip: number,
): GapDecision {
  if (firstBuffered === null || firstBuffered <= cursor + 1) return { kind: "none" };
  const fromSeq = cursor + 1;
  const toSeq = firstBuffered - 1;
  return toSeq - fromSeq + 1 <= maxSkip ? { kind: "skip", fromSeq, toSeq } : { kind: "park", fromSeq, toSeq };
}

/**
 * Whether `seq` could be reached by one gap timeout from `cursor`: at most `maxSkip` missing
 * seqs in between. A parked event sent again is taken back only when it is within reach
 * (otherwise the next timeout would park it again).
 */
export function withinReach(seq: number, cursor: number, maxSkip: number): boolean {
  return seq <= cursor + maxSkip + 1;
}

/** The dead letter's message for an event parked beyond a hole, naming the numbers an operator needs. */
export function tooFarAheadMessage(
  seq: number,
  hole: { fromSeq: number; toSeq: number },
  maxSkip: number,
): string {
  const missing = hole.toSeq - hole.fromSeq + 1;
  return (
    `seq ${seq} waited behind ${missing} missing seqs (${hole.fromSeq}..${hole.toSeq}), more than the ` +
    `${maxSkip} a gap timeout may skip (LEDGER_MAX_SKIP): parked instead of skipping them. ` +
    "Replay it once the seqs before it have arrived, or discard it"
  );
}
