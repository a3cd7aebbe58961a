/**
 * The per-ball fold: one step for a delivery, one for a penalty award. The live path applies a
 * step to the current innings; a correction re-folds an innings from its stored records. Both go
 * through these functions, so there is one copy of the scoring rules.
 */
import { type BallRecord, ballRuns, isLegal } from "./ball.ts";
import { arrive, depart, faceBall } from "./batting.ts";
import { addMaidens, bowlBall } from "./bowling.ts";
import { countsAsWicket } from "./laws.ts";
import { ballNotation, formatOvers } from "./overs.ts";
import { addBallToPartnerships } from "./partnerships.ts";
import { addBallToOvers, isMaiden } from "./per-over.ts";
import { emptyAggregates, type FallOfWicket, type InningsState, type PenaltyRecord } from "./state.ts";
import { nextEnds } from "./strike.ts";

/** Folds one delivery into the innings figures (the ball record itself is stored by the caller). */
export function foldBall(inn: InningsState, ball: BallRecord, ballsPerOver: number): InningsState {
  const legal = isLegal(ball);
  const runs = inn.runs + ballRuns(ball);
  const legalBalls = inn.legalBalls + (legal ? 1 : 0);
  const overs = formatOvers(legalBalls, ballsPerOver);
  // A wicket off a wide or no-ball sits between legal balls: print the overs bowled so far.
  const at = legal ? ballNotation(legalBalls, ballsPerOver) : overs;

  let batters = arrive(arrive(inn.batters, ball.batter), ball.nonStriker);
  batters = faceBall(batters, ball);

  let wickets = inn.wickets;
  let fallOfWickets = inn.fallOfWickets;
  for (const w of ball.wickets) {
    batters = depart(batters, w, ball.bowler);
    if (countsAsWicket(w.kind)) {
      wickets += 1;
      const fow: FallOfWicket = { wicket: wickets, runs, player: w.playerOut, kind: w.kind, over: at };
      fallOfWickets = [...fallOfWickets, fow];
    }
  }

  const step = addBallToOvers(inn.perOver, ball, wickets - inn.wickets, runs);
  let bowlers = bowlBall(inn.bowlers, ball, ballsPerOver);
  // An over can become a maiden (its last ball) or, with a mid-over change of bowler or a
  // provider's extra ball, stop being one: adjust by the difference so both directions hold.
  if (step.before !== null && isMaiden(step.before, ballsPerOver)) {
    bowlers = addMaidens(bowlers, step.before.bowler, -1);
  }
  if (isMaiden(step.after, ballsPerOver)) bowlers = addMaidens(bowlers, step.after.bowler, 1);

  const overComplete = legal && step.after.legalBalls === ballsPerOver;
  const ends = nextEnds(ball, overComplete);

  const e = inn.extras;
  const x = ball.extras;
  return {
    ...inn,
    runs,
    wickets,
    legalBalls,
    overs,
    extras: {
      wides: e.wides + x.wides,
      noballs: e.noballs + x.noballs,
      byes: e.byes + x.byes,
      legbyes: e.legbyes + x.legbyes,
      penalty: e.penalty + x.penalty,
    },
    batters,
    bowlers,
    fallOfWickets,
    partnerships: addBallToPartnerships(inn.partnerships, ball, inn.wickets),
    perOver: step.perOver,
    striker: ends.striker,
    nonStriker: ends.nonStriker,
  };
}

/** Penalty runs go to the innings total and extras, never to a batter, bowler or stand. */
export function foldPenalty(inn: InningsState, penalty: PenaltyRecord): InningsState {
  return {
    ...inn,
    runs: inn.runs + penalty.runs,
    extras: { ...inn.extras, penalty: inn.extras.penalty + penalty.runs },
  };
}

/**
 * Re-folds an innings from scratch over `balls` and its penalty awards, interleaved by seq as
 * they happened, so the result equals having applied them live in that order.
 */
export function refoldInnings(inn: InningsState, balls: BallRecord[], ballsPerOver: number): InningsState {
  let acc: InningsState = { ...inn, ...emptyAggregates(), balls };
  let p = 0;
  for (const ball of balls) {
    for (let pen = inn.penalties[p]; pen !== undefined && pen.seq < ball.seq; pen = inn.penalties[++p]) {
      acc = foldPenalty(acc, pen);
    }
    acc = foldBall(acc, ball, ballsPerOver);
  }
  for (let pen = inn.penalties[p]; pen !== undefined; pen = inn.penalties[++p]) acc = foldPenalty(acc, pen);
  return acc;
}
