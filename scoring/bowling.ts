/** Bowling figures: balls, runs charged, wickets credited, wides and no-balls, maidens. */
import { type BallRecord, bowlerRuns, isLegal } from "./ball.ts";
import { isCreditedToBowler } from "./laws.ts";
import { formatOvers, perOver } from "./overs.ts";
import { replaceAt } from "./replace-at.ts";
import type { BowlerState } from "./state.ts";

function newBowler(name: string): BowlerState {
  return {
    name,
    legalBalls: 0,
    countedBalls: 0,
    overs: "0.0",
    runs: 0,
    wickets: 0,
    maidens: 0,
    economy: null,
    wides: 0,
    noballs: 0,
  };
}

/**
 * Charges the delivery to its bowler (appended in order of first bowling): legal balls, runs off
 * the bat plus wides and no-balls (never byes, leg-byes or penalties), and credited wickets.
 * `counted` is what the ball adds to the overs as the umpire counts them (see `countedBalls` in
 * `per-over.ts`): 1 for an ordinary legal ball, more for the ball after which the umpire called a
 * short over, 0 for the seventh ball of a long one.
 */
export function bowlBall(
  bowlers: BowlerState[],
  ball: BallRecord,
  counted: number,
  ballsPerOver: number,
): BowlerState[] {
  let i = bowlers.findIndex((b) => b.name === ball.bowler);
  let list = bowlers;
  if (i < 0) {
    list = [...bowlers, newBowler(ball.bowler)];
    i = list.length - 1;
  }
  const b = list[i] as BowlerState;
  const countedBalls = b.countedBalls + counted;
  const runs = b.runs + bowlerRuns(ball);
  return replaceAt(list, i, {
    ...b,
    legalBalls: b.legalBalls + (isLegal(ball) ? 1 : 0),
    countedBalls,
    overs: formatOvers(countedBalls, ballsPerOver),
    runs,
    wickets: b.wickets + ball.wickets.filter((w) => isCreditedToBowler(w.kind)).length,
    economy: perOver(runs, countedBalls, ballsPerOver),
    wides: b.wides + (ball.extras.wides > 0 ? 1 : 0),
    noballs: b.noballs + (ball.extras.noballs > 0 ? 1 : 0),
  });
}

/** Credits `name` with a maiden (the over the umpire just called, see `isMaiden`). */
export function addMaiden(bowlers: BowlerState[], name: string): BowlerState[] {
  const i = bowlers.findIndex((b) => b.name === name);
  const b = bowlers[i];
  if (b === undefined) return bowlers;
  return replaceAt(bowlers, i, { ...b, maidens: b.maidens + 1 });
}
