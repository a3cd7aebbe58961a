/**
 * The match state: plain JSON (no Map, Set, class or undefined), so a Durable Object can store it
 * and a client can receive it as is. `JSON.parse(JSON.stringify(s))` deep-equals `s`.
 */
import type { BallExtras, BallRecord } from "./ball.ts";
import type { DismissalKind, Fielder, InningsEndReason, MatchFormat, MatchResult } from "./events.ts";

export const MATCH_STATUSES = ["scheduled", "live", "innings break", "finished"] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export interface MatchInfo {
  teams: [string, string];
  format: MatchFormat;
  ballsPerOver: number;
  /** Overs per innings; null for unlimited-overs cricket (Tests, first-class). */
  oversLimit: number | null;
  title: string | null;
  venue: string | null;
  toss: { winner: string; decision: "bat" | "field" } | null;
}

/** Runs to win, and the overs to get them in when limited (cricket notation: 9.5 is 9 overs 5 balls). */
export interface Target {
  runs: number;
  overs: number | null;
}

export interface Dismissal {
  kind: DismissalKind;
  /** The bowler credited with the wicket; null for kinds not credited to the bowler. */
  bowler: string | null;
  fielders: Fielder[];
}

export interface BatterState {
  name: string;
  runs: number;
  balls: number;
  fours: number;
  sixes: number;
  strikeRate: number | null;
  /** True when dismissed; a batter retired hurt or not out is not out. */
  out: boolean;
  /** As the card prints it: "c Smith b Jones", "run out (Smith)", "retired hurt", "not out". */
  howOut: string;
  /** The latest departure, kept for a retired batter too; cleared when they resume. */
  dismissal: Dismissal | null;
}

export interface BowlerState {
  name: string;
  /** Legal balls actually bowled. */
  legalBalls: number;
  /**
   * Legal balls as the umpire counted the overs (Law 17.5.1): each over the umpire called after 5
   * or 7 balls counts as a whole over, the difference going to the bowler of its last ball.
   * `overs` and `economy` read this; it equals `legalBalls` when every over had its balls.
   */
  countedBalls: number;
  overs: string;
  runs: number;
  wickets: number;
  maidens: number;
  economy: number | null;
  /** Wide deliveries bowled (the runs are in `runs` and the innings extras). */
  wides: number;
  /** No-balls bowled (the runs are in `runs` and the innings extras). */
  noballs: number;
}

export interface FallOfWicket {
  /** Wicket number: 1 for the first wicket down. */
  wicket: number;
  /** Innings total when it fell. */
  runs: number;
  player: string;
  kind: DismissalKind;
  /** The ball it fell on, e.g. "12.3" ("0.6" is the first over's last ball; off a wide, the overs bowled). */
  over: string;
}

export interface PartnershipBatter {
  name: string;
  runs: number;
  balls: number;
}

export interface Partnership {
  /** The wicket this partnership is for (1 = opening stand); a retirement does not advance it. */
  wicket: number;
  batters: [PartnershipBatter, PartnershipBatter];
  /** Innings runs scored during the stand, extras included (penalty events excluded). */
  runs: number;
  /** Legal balls bowled during the stand. */
  balls: number;
  /** False while the stand is unbroken. */
  ended: boolean;
}

/** One over, for the worm and manhattan charts and for maidens. */
export interface OverSummary {
  /** 0-based over number as the provider numbers it. */
  over: number;
  /** The bowler who started the over. */
  bowler: string;
  /** False when another bowler finished it (injury, suspension): then it is nobody's maiden. */
  soleBowler: boolean;
  /** True once the umpire has called over: after `ballsPerOver` legal balls, or where they said. */
  complete: boolean;
  legalBalls: number;
  /** Every run in the over, extras included. */
  runs: number;
  /** Runs charged to the bowler in the over (decides the maiden). */
  bowlerRuns: number;
  /** Innings wickets that fell in the over. */
  wickets: number;
  /** Innings total after the over's last ball so far (the worm). */
  total: number;
}

export interface PenaltyRecord {
  seq: number;
  runs: number;
  reason: string | null;
}

/** Derived figures for the live page, recomputed after every event from the rest of the state. */
export interface LiveFigures {
  runRate: number | null;
  /** Set when chasing a target with a known number of overs. */
  requiredRunRate: number | null;
  runsNeeded: number | null;
  ballsRemaining: number | null;
  /** Limited overs: current run rate over the full overs limit. */
  projectedScore: number | null;
  lastFiveOversRuns: number;
  lastFiveOversWickets: number;
  /**
   * Unlimited-overs cricket, from the second innings: the batting side's aggregate minus the
   * bowling side's (positive leads, negative trails).
   */
  lead: number | null;
}

export const INNINGS_STATUSES = ["in progress", "complete"] as const;
export type InningsStatus = (typeof INNINGS_STATUSES)[number];

export interface InningsState {
  /** 1-based, counting super overs. */
  number: number;
  battingTeam: string;
  bowlingTeam: string;
  superOver: boolean;
  followOn: boolean;
  status: InningsStatus;
  endReason: InningsEndReason | null;
  declared: boolean;
  forfeited: boolean;
  /** Batters absent hurt when the innings closed: they never batted, and are not "did not bat". */
  absentHurt: string[];
  /** The target the provider fixed at innings start (e.g. D/L); it wins over a derived one. */
  providerTarget: Target | null;
  /** The provider said the target is not the plain one and gave none (rain): none is derived. */
  targetUnknown: boolean;
  /** Overs this innings was limited to when the provider said it was fewer than the match's; else null. */
  oversLimit: number | null;
  /** The target in force: the provider's, else derived from the other innings. */
  target: Target | null;

  runs: number;
  wickets: number;
  /** Legal balls actually bowled. */
  legalBalls: number;
  /**
   * Legal balls as the umpire counted the overs (Law 17.5.1: an over called after 5 or 7 balls is
   * one over). `overs` and every per-over rate, target and balls-remaining figure read this.
   */
  countedBalls: number;
  overs: string;
  extras: BallExtras;
  batters: BatterState[];
  bowlers: BowlerState[];
  fallOfWickets: FallOfWicket[];
  partnerships: Partnership[];
  perOver: OverSummary[];
  /** Expected batters for the next ball: null at an end where a new batter is still to come. */
  striker: string | null;
  nonStriker: string | null;

  balls: BallRecord[];
  penalties: PenaltyRecord[];
  live: LiveFigures;
}

export interface CorrectionRecord {
  seq: number;
  targetSeq: number;
}

export interface MatchState {
  matchId: string;
  /** Seq of the last event applied; 0 before any. */
  seq: number;
  /** Event time of the last event applied. */
  lastEventTs: string | null;
  status: MatchStatus;
  match: MatchInfo | null;
  innings: InningsState[];
  result: MatchResult | null;
  /** Audit trail of corrections applied (the figures already include them). */
  corrections: CorrectionRecord[];
}

/** The state of a match before its first event. */
export function emptyState(matchId: string): MatchState {
  return {
    matchId,
    seq: 0,
    lastEventTs: null,
    status: "scheduled",
    match: null,
    innings: [],
    result: null,
    corrections: [],
  };
}

export const EMPTY_LIVE: LiveFigures = {
  runRate: null,
  requiredRunRate: null,
  runsNeeded: null,
  ballsRemaining: null,
  projectedScore: null,
  lastFiveOversRuns: 0,
  lastFiveOversWickets: 0,
  lead: null,
};

/** The innings figures that are a fold over its balls and penalties, at their zero. */
export type InningsAggregates = Pick<
  InningsState,
  | "runs"
  | "wickets"
  | "legalBalls"
  | "countedBalls"
  | "overs"
  | "extras"
  | "batters"
  | "bowlers"
  | "fallOfWickets"
  | "partnerships"
  | "perOver"
  | "striker"
  | "nonStriker"
>;

export function emptyAggregates(): InningsAggregates {
  return {
    runs: 0,
    wickets: 0,
    legalBalls: 0,
    countedBalls: 0,
    overs: "0.0",
    extras: { wides: 0, noballs: 0, byes: 0, legbyes: 0, penalty: 0 },
    batters: [],
    bowlers: [],
    fallOfWickets: [],
    partnerships: [],
    perOver: [],
    striker: null,
    nonStriker: null,
  };
}
