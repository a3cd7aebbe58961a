/**
 * Moments: what a live-score audience is told about (a wicket, a six, a hundred, a result),
 * derived by the scoring engine from each state change. The contract other tools depend on
 * (issue 14): every moment has a stable `id` (match, seq, kind, subject) so a consumer can
 * dedupe, a `kind` from this list, the `seq` and source `ts` of the event that made it, and the
 * `innings` it belongs to; the rest is kind-specific.
 */
export const MOMENT_KINDS = [
  "wicket",
  "four",
  "six",
  "batter-milestone",
  "bowler-milestone",
  "partnership-milestone",
  "team-milestone",
  "over",
  "innings-end",
  "target",
  "result",
  "retraction",
] as const;
export type MomentKind = (typeof MOMENT_KINDS)[number];

/** The fields every moment carries; kind-specific fields come beside them. */
export interface MomentBase {
  /** Stable across recomputation: `<matchId>:<seq>:<kind>:<subject>`. */
  id: string;
  kind: MomentKind;
  matchId: string;
  seq: number;
  /** The source's timestamp of the event that made the moment (never the receiver's clock). */
  ts: string;
  /** 1-based innings number. */
  innings: number;
}
