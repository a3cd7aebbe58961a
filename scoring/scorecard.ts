/** The scorecard view of a match state: what a card or a live page prints, derived, never stored. */
import { ballLabel, extrasTotal } from "./ball.ts";
import type { InningsEndReason, MatchFormat, MatchResult } from "./events.ts";
import type {
  BowlerState,
  FallOfWicket,
  InningsState,
  InningsStatus,
  MatchState,
  MatchStatus,
  OverSummary,
  Partnership,
  Target,
} from "./state.ts";

export interface BattingCard {
  name: string;
  runs: number;
  balls: number;
  fours: number;
  sixes: number;
  out: boolean;
  howOut: string;
  strikeRate: number | null;
}

export type BowlingCard = Pick<
  BowlerState,
  "name" | "legalBalls" | "overs" | "runs" | "wickets" | "maidens" | "economy" | "wides" | "noballs"
>;

export interface InningsCard {
  number: number;
  team: string;
  opponent: string;
  superOver: boolean;
  followOn: boolean;
  status: InningsStatus;
  runs: number;
  wickets: number;
  legalBalls: number;
  overs: string;
  extras: { wides: number; noballs: number; byes: number; legbyes: number; penalty: number; total: number };
  batters: BattingCard[];
  bowlers: BowlingCard[];
  fallOfWickets: FallOfWicket[];
  partnerships: Partnership[];
  target: Target | null;
  /** The provider said the target is not the plain one and gave none (rain): the card shows none. */
  targetUnknown: boolean;
  /** Overs this innings was limited to when fewer than the match's (reduced before it began); else null. */
  oversLimit: number | null;
  declared: boolean;
  forfeited: boolean;
  /** Batters absent hurt when the innings closed ("MJ Henry absent hurt"). */
  absentHurt: string[];
  endReason: InningsEndReason | null;
  striker: string | null;
  nonStriker: string | null;
  runRate: number | null;
  requiredRunRate: number | null;
  runsNeeded: number | null;
  ballsRemaining: number | null;
  projectedScore: number | null;
  lastFiveOvers: { runs: number; wickets: number };
  lead: number | null;
  /** Labels of the last balls, oldest first ("1", "4", "W", "1wd"). */
  recentBalls: string[];
  perOver: OverSummary[];
}

export interface Scorecard {
  matchId: string;
  title: string | null;
  venue: string | null;
  teams: [string, string] | null;
  format: MatchFormat | null;
  status: MatchStatus;
  result: MatchResult | null;
  innings: InningsCard[];
}

const RECENT_BALLS = 12;

/** Labels of the last `count` deliveries of an innings, oldest first, for the recent-balls strip. */
export function recentBalls(inn: InningsState, count: number = RECENT_BALLS): string[] {
  return inn.balls.slice(Math.max(0, inn.balls.length - count)).map(ballLabel);
}

function inningsCard(inn: InningsState): InningsCard {
  return {
    number: inn.number,
    team: inn.battingTeam,
    opponent: inn.bowlingTeam,
    superOver: inn.superOver,
    followOn: inn.followOn,
    status: inn.status,
    runs: inn.runs,
    wickets: inn.wickets,
    legalBalls: inn.legalBalls,
    overs: inn.overs,
    extras: { ...inn.extras, total: extrasTotal(inn.extras) },
    batters: inn.batters.map((b) => ({
      name: b.name,
      runs: b.runs,
      balls: b.balls,
      fours: b.fours,
      sixes: b.sixes,
      out: b.out,
      howOut: b.howOut,
      strikeRate: b.strikeRate,
    })),
    bowlers: inn.bowlers.map((b) => ({
      name: b.name,
      legalBalls: b.legalBalls,
      overs: b.overs,
      runs: b.runs,
      wickets: b.wickets,
      maidens: b.maidens,
      economy: b.economy,
      wides: b.wides,
      noballs: b.noballs,
    })),
    fallOfWickets: inn.fallOfWickets,
    partnerships: inn.partnerships,
    target: inn.target,
    targetUnknown: inn.targetUnknown,
    oversLimit: inn.oversLimit,
    declared: inn.declared,
    forfeited: inn.forfeited,
    absentHurt: inn.absentHurt,
    endReason: inn.endReason,
    striker: inn.striker,
    nonStriker: inn.nonStriker,
    runRate: inn.live.runRate,
    requiredRunRate: inn.live.requiredRunRate,
    runsNeeded: inn.live.runsNeeded,
    ballsRemaining: inn.live.ballsRemaining,
    projectedScore: inn.live.projectedScore,
    lastFiveOvers: { runs: inn.live.lastFiveOversRuns, wickets: inn.live.lastFiveOversWickets },
    lead: inn.live.lead,
    recentBalls: recentBalls(inn),
    perOver: inn.perOver,
  };
}

/** The full scorecard: match facts, result, and one card per innings (super overs included). */
export function scorecard(state: MatchState): Scorecard {
  return {
    matchId: state.matchId,
    title: state.match?.title ?? null,
    venue: state.match?.venue ?? null,
    teams: state.match?.teams ?? null,
    format: state.match?.format ?? null,
    status: state.status,
    result: state.result,
    innings: state.innings.map(inningsCard),
  };
}
