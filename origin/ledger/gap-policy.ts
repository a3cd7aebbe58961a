/**
 * What a ledger does when its gap timeout fires: the pure half of the gap policy
 * (docs/decisions.md, "Out-of-order events"). The sequencer carries the decision out; nothing
 * here touches storage or a clock.
 *
 * A hole is a wait, not a verdict. A hole of a few seqs is most likely a lost event: the ledger
 * moves past it (an open hole until filled or acknowledged; a late arrival is put back in place).
 * A larger hole is a provider's batch still on its way (a retry queue that resends failed batches
 * later does exactly this): the ledger holds at the hole and applies everything behind it, in
 * order, the moment it is filled. Nothing the provider was told is `buffered` is ever parked for
 * being far ahead; the buffer is bounded by `LEDGER_MAX_AHEAD` instead, whose excess the provider
 * is told to `retry`.
 */

/** The gap timeout's verdict on the first hole after the cursor. */
export type GapDecision =
  /** Nothing buffered, or the next seq is already there (perhaps held by a conflict): nothing to move past. */
  | { kind: "none" }
  /** A small hole: record it (an open hole until filled or acknowledged) and move past it. */
  | { kind: "skip"; fromSeq: number; toSeq: number }
  /** A hole larger than `maxSkip`: keep waiting for `fromSeq..toSeq`; the lag shows it until it is filled. */
  | { kind: "wait"; fromSeq: number; toSeq: number };

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
  return toSeq - fromSeq + 1 <= maxSkip ? { kind: "skip", fromSeq, toSeq } : { kind: "wait", fromSeq, toSeq };
}

/** The `retry` answer's message for an event beyond the buffer's reach, naming the numbers the provider needs. */
export function beyondBufferMessage(seq: number, cursor: number, maxAhead: number): string {
  return (
    `seq ${seq} is more than ${maxAhead} ahead of the ledger (applied through ${cursor}; LEDGER_MAX_AHEAD ` +
    `bounds what one match buffers): nothing was stored. Send the seqs after ${cursor} first, then retry this one`
  );
}
