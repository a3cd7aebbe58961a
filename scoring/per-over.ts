/**
 * Over-by-over summaries (worm, manhattan), the umpire's over (Law 17.5.1) and the maiden rule
 * that reads them.
 */
import { type BallRecord, ballRuns, bowlerRuns, isLegal } from "./ball.ts";
import { replaceAt } from "./replace-at.ts";
import type { OverSummary } from "./state.ts";

/**
 * A maiden is a complete over, bowled throughout by one bowler, that cost the bowler nothing:
 * wides and no-balls spoil it, byes and leg-byes do not. Complete means the umpire called over,
 * after however many legal balls (Law 17.5.1); an unfinished over is not a maiden.
 */
export function isMaiden(o: OverSummary): boolean {
  return o.soleBowler && o.complete && o.bowlerRuns === 0;
}

/**
 * The legal balls an over counts for in the overs total: a whole over once the umpire has called
 * it, whatever was bowled (5 or 7 balls count as 6), else the balls bowled so far, never more than
 * a whole over: an over the umpire lets run on reads "x+1.0" from its sixth ball, and its seventh
 * adds nothing (rather than reading "x+1.1" and eating into the next over).
 */
export function countedBalls(o: OverSummary, ballsPerOver: number): number {
  return o.complete ? ballsPerOver : Math.min(o.legalBalls, ballsPerOver);
}

export interface OverStep {
  perOver: OverSummary[];
  /** The over before this ball (null when the ball opened a new over). */
  before: OverSummary | null;
  after: OverSummary;
}

/**
 * Adds a ball to its over. A ball opens a new over when the last one is complete (the umpire
 * called over) or carries another over number; otherwise it joins the last one. The over ends
 * where the umpire says (`overEnd`), else with its `ballsPerOver`-th legal ball: only a legal ball
 * can be the one that fills an over, so a wide after a 7-ball over's sixth ball leaves it open.
 */
export function addBallToOvers(
  perOver: OverSummary[],
  ball: BallRecord,
  inningsWicketsOnBall: number,
  inningsTotalAfter: number,
  ballsPerOver: number,
): OverStep {
  const last = perOver[perOver.length - 1];
  const before = last !== undefined && !last.complete && last.over === ball.over ? last : null;
  const base: OverSummary = before ?? {
    over: ball.over,
    bowler: ball.bowler,
    soleBowler: true,
    complete: false,
    legalBalls: 0,
    runs: 0,
    bowlerRuns: 0,
    wickets: 0,
    total: 0,
  };
  const legal = isLegal(ball);
  const legalBalls = base.legalBalls + (legal ? 1 : 0);
  const after: OverSummary = {
    ...base,
    soleBowler: base.soleBowler && base.bowler === ball.bowler,
    complete: ball.overEnd ?? (legal && legalBalls >= ballsPerOver),
    legalBalls,
    runs: base.runs + ballRuns(ball),
    bowlerRuns: base.bowlerRuns + bowlerRuns(ball),
    wickets: base.wickets + inningsWicketsOnBall,
    total: inningsTotalAfter,
  };
  const next = before === null ? [...perOver, after] : replaceAt(perOver, perOver.length - 1, after);
  return { perOver: next, before, after };
}
