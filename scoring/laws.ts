/**
 * The Laws of Cricket as scorers apply them, as small tables and predicates, so the fold
 * (incremental and rebuild alike) asks the same questions in one place.
 */
import type { DismissalKind } from "./events.ts";

/**
 * Dismissals credited to the bowler. Run out, obstructing the field, handled the ball, hit the
 * ball twice, timed out and the retirements are not (Laws 34-40 as scorers record them).
 */
const CREDITED_TO_BOWLER = {
  bowled: true,
  caught: true,
  "caught and bowled": true,
  lbw: true,
  stumped: true,
  "hit wicket": true,
  "run out": false,
  "obstructing the field": false,
  "handled the ball": false,
  "hit the ball twice": false,
  "timed out": false,
  "retired out": false,
  "retired hurt": false,
  "retired not out": false,
} as const satisfies Record<DismissalKind, boolean>;

/**
 * Whether a departure is a fall of wicket. A batter who retires hurt or not out may resume and
 * is "not out" on the card; every other kind (retired out and timed out included) is a wicket.
 */
const COUNTS_AS_WICKET = {
  bowled: true,
  caught: true,
  "caught and bowled": true,
  lbw: true,
  stumped: true,
  "hit wicket": true,
  "run out": true,
  "obstructing the field": true,
  "handled the ball": true,
  "hit the ball twice": true,
  "timed out": true,
  "retired out": true,
  "retired hurt": false,
  "retired not out": false,
} as const satisfies Record<DismissalKind, boolean>;

/** True when the bowler gets the wicket for this kind of dismissal. */
export function isCreditedToBowler(kind: DismissalKind): boolean {
  return CREDITED_TO_BOWLER[kind];
}

/** True when this kind of dismissal adds to the innings' wickets. */
export function countsAsWicket(kind: DismissalKind): boolean {
  return COUNTS_AS_WICKET[kind];
}
