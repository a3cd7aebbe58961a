/** Batting figures: arrival at the crease, balls faced, boundaries, departures and resumptions. */
import { type BallRecord, type BallWicket, isBallFaced, isFour, isSix } from "./ball.ts";
import { howOut } from "./how-out.ts";
import { countsAsWicket, isCreditedToBowler } from "./laws.ts";
import { strikeRate } from "./overs.ts";
import { replaceAt } from "./replace-at.ts";
import type { BatterState } from "./state.ts";

function newBatter(name: string): BatterState {
  return {
    name,
    runs: 0,
    balls: 0,
    fours: 0,
    sixes: 0,
    strikeRate: null,
    out: false,
    howOut: "not out",
    dismissal: null,
  };
}

/**
 * Makes sure `name` is on the card (appended in order of arrival). A batter who retired hurt or
 * not out and is back at the crease resumes: the earlier departure no longer stands.
 */
export function arrive(batters: BatterState[], name: string): BatterState[] {
  const i = batters.findIndex((b) => b.name === name);
  if (i < 0) return [...batters, newBatter(name)];
  const b = batters[i] as BatterState;
  if (b.dismissal !== null && !countsAsWicket(b.dismissal.kind)) {
    return replaceAt(batters, i, { ...b, out: false, howOut: "not out", dismissal: null });
  }
  return batters;
}

/** Credits the striker with the runs off the bat and the ball faced (wides are not balls faced). */
export function faceBall(batters: BatterState[], ball: BallRecord): BatterState[] {
  const i = batters.findIndex((b) => b.name === ball.batter);
  const b = batters[i];
  if (b === undefined) return batters;
  const runs = b.runs + ball.batterRuns;
  const balls = b.balls + (isBallFaced(ball) ? 1 : 0);
  return replaceAt(batters, i, {
    ...b,
    runs,
    balls,
    fours: b.fours + (isFour(ball) ? 1 : 0),
    sixes: b.sixes + (isSix(ball) ? 1 : 0),
    strikeRate: strikeRate(runs, balls),
  });
}

/** Records a departure; a batter not yet on the card (timed out) is added as they leave it. */
export function depart(batters: BatterState[], w: BallWicket, bowler: string): BatterState[] {
  const withBatter = arrive(batters, w.playerOut);
  const i = withBatter.findIndex((b) => b.name === w.playerOut);
  const b = withBatter[i] as BatterState;
  const dismissal = {
    kind: w.kind,
    bowler: isCreditedToBowler(w.kind) ? bowler : null,
    fielders: w.fielders,
  };
  return replaceAt(withBatter, i, {
    ...b,
    out: countsAsWicket(w.kind),
    howOut: howOut(dismissal),
    dismissal,
  });
}
