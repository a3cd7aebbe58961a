/**
 * Whether a message continues the version this client holds. Pure: the stream logic asks,
 * and acts on the answer.
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
