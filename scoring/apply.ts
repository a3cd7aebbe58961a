/** The reducer: one provider event onto the match state, purely. */
import { assertNever } from "./assert-never.ts";
import { type BallRecord, toBallRecord } from "./ball.ts";
import { refreshDerived } from "./derived.ts";
import type {
  CorrectionPayload,
  DeliveryPayload,
  InningsEndPayload,
  InningsStartPayload,
  MatchStartPayload,
  PenaltyPayload,
  ProviderEvent,
} from "./events.ts";
import { foldBall, foldPenalty, refoldInnings } from "./innings-fold.ts";
import { normaliseResult } from "./result.ts";
import { ScoringError } from "./scoring-error.ts";
import { EMPTY_LIVE, emptyAggregates, type InningsState, type MatchInfo, type MatchState } from "./state.ts";

function requireMatch(state: MatchState, what: string): MatchInfo {
  if (state.match === null) throw new ScoringError(`${what} before match.start`);
  return state.match;
}

function replaceInnings(state: MatchState, inn: InningsState): MatchState {
  const innings = state.innings.slice();
  innings[inn.number - 1] = inn;
  return { ...state, innings };
}

function matchStart(state: MatchState, p: MatchStartPayload): MatchState {
  if (state.match !== null) throw new ScoringError("match.start for a match that has already started");
  if (!Number.isInteger(p.ballsPerOver) || p.ballsPerOver < 1) {
    throw new ScoringError(`match.start: ballsPerOver must be a positive integer, got ${p.ballsPerOver}`);
  }
  const match: MatchInfo = {
    teams: [p.teams[0], p.teams[1]],
    format: p.format,
    ballsPerOver: p.ballsPerOver,
    oversLimit: p.oversLimit,
    title: p.title ?? null,
    venue: p.venue ?? null,
    toss: p.toss ? { winner: p.toss.winner, decision: p.toss.decision } : null,
  };
  return { ...state, match };
}

/** Closes the innings in play, if any, with `reason` (null when the provider gave none). */
function closeCurrent(
  state: MatchState,
  reason: InningsEndPayload["reason"] | null,
  absentHurt: readonly string[] = [],
): MatchState {
  const current = state.innings[state.innings.length - 1];
  if (current === undefined || current.status === "complete") return state;
  return replaceInnings(state, {
    ...current,
    status: "complete",
    endReason: reason,
    declared: reason === "declared",
    forfeited: reason === "forfeited",
    absentHurt: [...absentHurt],
  });
}

function inningsStart(state: MatchState, p: InningsStartPayload): MatchState {
  const match = requireMatch(state, "innings.start");
  if (state.status === "finished") throw new ScoringError("innings.start after match.end");
  // A provider that skips innings.end still gets a coherent card: the previous innings closes here.
  const closed = closeCurrent(state, null);
  const number = closed.innings.length + 1;
  const previousRegulation = closed.innings.filter((i) => !i.superOver);
  const last = previousRegulation[previousRegulation.length - 1];
  // Unlimited-overs cricket: the same side batting again straight away is following on.
  const impliedFollowOn =
    match.oversLimit === null &&
    !p.superOver &&
    previousRegulation.length === 2 &&
    last?.battingTeam === p.battingTeam;
  const inn: InningsState = {
    number,
    battingTeam: p.battingTeam,
    bowlingTeam: p.bowlingTeam,
    superOver: p.superOver,
    followOn: p.followOn === true || impliedFollowOn,
    status: "in progress",
    endReason: null,
    declared: false,
    forfeited: false,
    absentHurt: [],
    providerTarget: p.target ? { runs: p.target.runs, overs: p.target.overs ?? null } : null,
    targetUnknown: p.target === null,
    oversLimit: p.oversLimit ?? null,
    target: null,
    ...emptyAggregates(),
    balls: [],
    penalties: [],
    live: EMPTY_LIVE,
  };
  return { ...closed, status: "live", innings: [...closed.innings, inn] };
}

function currentInningsFor(state: MatchState, innings: number, what: string): InningsState {
  requireMatch(state, what);
  if (state.status === "finished") throw new ScoringError(`${what} after match.end`);
  const current = state.innings[state.innings.length - 1];
  if (current === undefined) throw new ScoringError(`${what} before any innings started`);
  if (innings !== current.number) {
    throw new ScoringError(`${what} for innings ${innings}, but the current innings is ${current.number}`);
  }
  if (current.status === "complete")
    throw new ScoringError(`${what} for innings ${innings}, which has ended`);
  return current;
}

function delivery(state: MatchState, seq: number, p: DeliveryPayload): MatchState {
  const current = currentInningsFor(state, p.innings, `delivery seq ${seq}`);
  const match = requireMatch(state, "delivery");
  const ball = toBallRecord(seq, p);
  const folded = foldBall(current, ball, match.ballsPerOver);
  return replaceInnings(state, { ...folded, balls: [...current.balls, ball] });
}

function penalty(state: MatchState, seq: number, p: PenaltyPayload): MatchState {
  requireMatch(state, "penalty");
  const inn = state.innings[p.innings - 1];
  if (inn === undefined)
    throw new ScoringError(`penalty seq ${seq} for innings ${p.innings}, which has not started`);
  if (!Number.isInteger(p.runs) || p.runs < 0) {
    throw new ScoringError(`penalty seq ${seq}: runs must be a non-negative integer, got ${p.runs}`);
  }
  const record = { seq, runs: p.runs, reason: p.reason ?? null };
  return replaceInnings(state, { ...foldPenalty(inn, record), penalties: [...inn.penalties, record] });
}

/** Finds the innings holding the ball with `seq`: balls are stored in seq order, so bisect. */
function findBall(state: MatchState, seq: number): { inn: InningsState; index: number } | null {
  for (const inn of state.innings) {
    let lo = 0;
    let hi = inn.balls.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = (inn.balls[mid] as BallRecord).seq;
      if (s === seq) return { inn, index: mid };
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return null;
}

/**
 * Replaces a delivery and re-folds its innings from the stored balls, so the state equals a replay
 * with the corrected delivery in its place. Later innings' targets and leads follow on refresh.
 */
function correction(state: MatchState, seq: number, p: CorrectionPayload): MatchState {
  const match = requireMatch(state, "correction");
  const found = findBall(state, p.targetSeq);
  if (found === null) {
    throw new ScoringError(`correction seq ${seq}: seq ${p.targetSeq} is not a delivery this match has seen`);
  }
  const { inn, index } = found;
  if (p.delivery.innings !== inn.number) {
    throw new ScoringError(
      `correction seq ${seq}: delivery ${p.targetSeq} is in innings ${inn.number}, not ${p.delivery.innings}`,
    );
  }
  const balls = inn.balls.slice();
  balls[index] = toBallRecord(p.targetSeq, p.delivery);
  const next = replaceInnings(state, refoldInnings(inn, balls, match.ballsPerOver));
  return { ...next, corrections: [...state.corrections, { seq, targetSeq: p.targetSeq }] };
}

function inningsEnd(state: MatchState, p: InningsEndPayload): MatchState {
  requireMatch(state, "innings.end");
  const inn = state.innings[p.innings - 1];
  if (inn === undefined)
    throw new ScoringError(`innings.end for innings ${p.innings}, which has not started`);
  if (inn.status === "complete")
    throw new ScoringError(`innings.end for innings ${p.innings}, which has already ended`);
  const closed = closeCurrent(state, p.reason, p.absentHurt);
  return closed.status === "finished" ? closed : { ...closed, status: "innings break" };
}

function applyEvent(state: MatchState, event: ProviderEvent): MatchState {
  switch (event.type) {
    case "match.start":
      return matchStart(state, event.payload);
    case "innings.start":
      return inningsStart(state, event.payload);
    case "delivery":
      return delivery(state, event.seq, event.payload);
    case "penalty":
      return penalty(state, event.seq, event.payload);
    case "correction":
      return correction(state, event.seq, event.payload);
    case "innings.end":
      return inningsEnd(state, event.payload);
    case "match.end": {
      requireMatch(state, "match.end");
      if (state.status === "finished") throw new ScoringError("match.end for a match that has already ended");
      return {
        ...closeCurrent(state, null),
        status: "finished",
        result: normaliseResult(event.payload.result),
      };
    }
    default:
      return assertNever(event);
  }
}

/**
 * Applies one provider event. Pure: the input state is never mutated (unchanged parts are shared).
 * Throws `ScoringError` when the event cannot apply: another match, a seq not after the last one,
 * play before match.start or outside the current innings, a correction of an unknown delivery.
 */
export function apply(state: MatchState, event: ProviderEvent): MatchState {
  if (event.matchId !== state.matchId) {
    throw new ScoringError(`event for match ${event.matchId} applied to match ${state.matchId}`);
  }
  if (!Number.isInteger(event.seq) || event.seq <= state.seq) {
    throw new ScoringError(`event seq ${event.seq} is not after the last applied seq ${state.seq}`);
  }
  const next = refreshDerived(applyEvent(state, event));
  return { ...next, seq: event.seq, lastEventTs: event.ts };
}
