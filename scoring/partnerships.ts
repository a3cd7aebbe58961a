/** Partnerships: the runs and balls while two batters are together, per wicket. */
import { type BallRecord, ballRuns, isBallFaced, isLegal } from "./ball.ts";
import { replaceAt } from "./replace-at.ts";
import type { Partnership, PartnershipBatter } from "./state.ts";

function samePair(p: Partnership, a: string, b: string): boolean {
  const [x, y] = p.batters;
  return (x.name === a && y.name === b) || (x.name === b && y.name === a);
}

function credit(pb: PartnershipBatter, ball: BallRecord): PartnershipBatter {
  if (pb.name !== ball.batter) return pb;
  return { ...pb, runs: pb.runs + ball.batterRuns, balls: pb.balls + (isBallFaced(ball) ? 1 : 0) };
}

/**
 * Adds a ball to the stand between its two batters, opening a new stand when the pair changed.
 * `wicketsBefore` numbers a new stand; any departure of either batter on the ball (a retirement
 * too) ends it.
 */
export function addBallToPartnerships(
  partnerships: Partnership[],
  ball: BallRecord,
  wicketsBefore: number,
): Partnership[] {
  let list = partnerships;
  let current = list[list.length - 1];
  if (current === undefined || current.ended || !samePair(current, ball.batter, ball.nonStriker)) {
    if (current !== undefined && !current.ended) {
      // The pair changed without a recorded departure: close the old stand rather than merge two.
      list = replaceAt(list, list.length - 1, { ...current, ended: true });
    }
    current = {
      wicket: wicketsBefore + 1,
      batters: [
        { name: ball.batter, runs: 0, balls: 0 },
        { name: ball.nonStriker, runs: 0, balls: 0 },
      ],
      runs: 0,
      balls: 0,
      ended: false,
    };
    list = [...list, current];
  }
  const ended = ball.wickets.some((w) => w.playerOut === ball.batter || w.playerOut === ball.nonStriker);
  const updated: Partnership = {
    ...current,
    batters: [credit(current.batters[0], ball), credit(current.batters[1], ball)],
    runs: current.runs + ballRuns(ball),
    balls: current.balls + (isLegal(ball) ? 1 : 0),
    ended,
  };
  return replaceAt(list, list.length - 1, updated);
}
