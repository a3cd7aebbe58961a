/**
 * The per-ball fold: one step for a delivery, one for a penalty award. The live path applies a
 * step to the current innings; a correction re-folds an innings from its stored records. Both go
 * through these functions, so there is one copy of the scoring rules.
 */
import { type BallRecord, ballRuns, isLegal } from "./ball.ts";
import { arrive, depart, faceBall } from "./batting.ts";
import { addMaiden, bowlBall } from "./bowling.ts";
import { countsAsWicket } from "./laws.ts";
import { ballNotation, formatOvers } from "./overs.ts";
import { addBallToPartnerships } from "./partnerships.ts";
import { addBallToOvers, countedBalls, isMaiden } from "./per-over.ts";
import { ScoringError } from "./scoring-error.ts";
import { emptyAggregates, type FallOfWicket, type InningsState, type PenaltyRecord } from "./state.ts";
import { nextEnds } from "./strike.ts";

/**
 * Folds one delivery into the innings figures (the ball record itself is stored by the caller).
 * Overs follow the umpire (Law 17.5.1): the over summary says when an over is complete, and the
 * overs total, the bowler's overs, the maiden and the change of ends all read that.
 */
export function foldBall(inn: InningsState, ball: BallRecord, ballsPerOver: number): InningsState {
  const legal = isLegal(ball);
  const runs = inn.runs + ballRuns(ball);
  const wicketsOnBall = ball.wickets.filter((w) => countsAsWicket(w.kind)).length;

  const step = addBallToOvers(inn.perOver, ball, wicketsOnBall, runs, ballsPerOver);
  if (step.after.complete && step.after.legalBalls === 0) {
    throw new ScoringError(`delivery seq ${ball.seq}: overEnd true would end an over with no legal ball`);
  }
  const countedBefore = step.before === null ? 0 : countedBalls(step.before, ballsPerOver);
  const counted = countedBalls(step.after, ballsPerOver) - countedBefore;
  const inningsCounted = inn.countedBalls + counted;
  const overs = formatOvers(inningsCounted, ballsPerOver);
  // Where the ball sits ("12.3"), numbered by the umpire's overs; a wicket off a wide or no-ball
  // sits between legal balls, so it gets the overs bowled so far.
  const overIndex = Math.floor((inn.countedBalls - countedBefore) / ballsPerOver);
  const at = legal ? ballNotation(overIndex, step.after.legalBalls) : overs;

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

  let bowlers = bowlBall(inn.bowlers, ball, counted, ballsPerOver);
  // A complete over takes no more balls, so only the ball the umpire called over on can make one
  // a maiden, and nothing later can unmake it.
  if (step.after.complete && isMaiden(step.after)) bowlers = addMaiden(bowlers, step.after.bowler);

  const ends = nextEnds(ball, step.after.complete);

  const e = inn.extras;
  const x = ball.extras;
  return {
    ...inn,
    runs,
    wickets,
    legalBalls: inn.legalBalls + (legal ? 1 : 0),
    countedBalls: inningsCounted,
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
