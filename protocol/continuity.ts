/**
 * Continuity of a stream of versions, judged one way everywhere: whether a patch continues the
 * version held (the client, a room receiving from its parent) and whether a chain of them
 * reaches from one version to another (the ledger's log, a room's ring, a pull's answer).
 * Pure: the stream logic asks, and acts on the answer.
 */

/** What to do with a patch, given the seq held now (null: nothing held yet). */
export type PatchVerdict =
  /** `prev` is the held seq: apply it. */
  | "apply"
  /** Already held (`seq <= held`): a replay or a duplicate delivery. */
  | "duplicate"
  /** `prev` is not the held seq: something was missed, resync. */
  | "gap"
  /** Nothing held to apply it to: wait for a snapshot. */
  | "unanchored";

/** Judges one patch against the held seq. */
export function judgePatch(heldSeq: number | null, patch: { seq: number; prev: number }): PatchVerdict {
  if (heldSeq === null) return "unanchored";
  if (patch.seq <= heldSeq) return "duplicate";
  if (patch.prev !== heldSeq) return "gap";
  return "apply";
}

/** A presence announcing a newer seq than the held one means a patch went missing. */
export function presenceShowsGap(heldSeq: number | null, presenceSeq: number): boolean {
  return heldSeq !== null && presenceSeq > heldSeq;
}

/**
 * The chain from `since` to `head`: the entries after `since`, each one's `prev` the seq
 * before it, ending exactly at `head`. Null when the chain is broken or does not reach
 * (`since` ahead of `head`, a missing link, entries ending short or past the head).
 * One judgement for every place that replays versions: the ledger's log, a room's ring,
 * a pull's answer.
 */
export function continuousChain<T extends { seq: number; prev: number }>(
  since: number,
  head: number,
  entries: readonly T[],
): T[] | null {
  if (since > head) return null;
  const out: T[] = [];
  let expected = since;
  for (const entry of entries) {
    if (expected === head) break;
    const verdict = judgePatch(expected, entry);
    if (verdict === "duplicate") continue;
    if (verdict !== "apply") return null;
    out.push(entry);
    expected = entry.seq;
  }
  return expected === head ? out : null;
}
