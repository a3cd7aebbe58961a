/** Over-by-over summaries (worm, manhattan) and the maiden rule that reads them. */
import { type BallRecord, ballRuns, bowlerRuns, isLegal } from "./ball.ts";
import { replaceAt } from "./replace-at.ts";
import type { OverSummary } from "./state.ts";

/**
 * A maiden is a complete over, bowled throughout by one bowler, that cost the bowler nothing:
 * wides and no-balls spoil it, byes and leg-byes do not. An unfinished over is not a maiden.
 */
export function isMaiden(o: OverSummary, ballsPerOver: number): boolean {
  return o.soleBowler && o.legalBalls >= ballsPerOver && o.bowlerRuns === 0;
}

export interface OverStep {
  perOver: OverSummary[];
  /** The over before this ball (null when the ball opened a new over). */
  before: OverSummary | null;
  after: OverSummary;
}

/**
 * Adds a ball to its over. Overs are grouped by the provider's over number: a ball with the same
 * number as the last summary belongs to it, any other number opens a new one.
 */
export function addBallToOvers(
  perOver: OverSummary[],
  ball: BallRecord,
  inningsWicketsOnBall: number,
  inningsTotalAfter: number,
): OverStep {
  const last = perOver[perOver.length - 1];
  const before = last !== undefined && last.over === ball.over ? last : null;
  const base: OverSummary = before ?? {
    over: ball.over,
    bowler: ball.bowler,
    soleBowler: true,
    legalBalls: 0,
    runs: 0,
    bowlerRuns: 0,
    wickets: 0,
    total: 0,
  };
  const after: OverSummary = {
    ...base,
    soleBowler: base.soleBowler && base.bowler === ball.bowler,
    legalBalls: base.legalBalls + (isLegal(ball) ? 1 : 0),
    runs: base.runs + ballRuns(ball),
    bowlerRuns: base.bowlerRuns + bowlerRuns(ball),
    wickets: base.wickets + inningsWicketsOnBall,
    total: inningsTotalAfter,
  };
  const next = before === null ? [...perOver, after] : replaceAt(perOver, perOver.length - 1, after);
  return { perOver: next, before, after };
}
