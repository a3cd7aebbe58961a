/**
 * Moments: what a live-score audience is told about (a wicket, a six, a hundred, a result),
 * derived by the engine from the match's history (`moments.ts`). The contract other tools
 * depend on (issue 14): every moment has a stable `id` (match, seq, kind, subject) so a consumer
 * can dedupe, a `kind` from this list, the `seq` and source `ts` of the event that made it, and
 * the `innings` it belongs to; the rest is kind-specific. `protocol/moments.ts` re-exports these
 * with the wire schema.
 */
import type { DismissalKind, InningsEndReason, MatchResult } from "./events.ts";

export const MOMENT_KINDS = [
  "wicket",
  "four",
  "six",
  "batter-milestone",
  "bowler-milestone",
  "partnership-milestone",
  "team-milestone",
  "over",
  "innings-end",
  "target",
  "result",
  "retraction",
] as const;
export type MomentKind = (typeof MOMENT_KINDS)[number];

/** The fields every moment carries; kind-specific fields come beside them. */
export interface MomentBase {
  /** Stable across recomputation: `<matchId>:<seq>:<kind>:<subject>`. */
  id: string;
  kind: MomentKind;
  matchId: string;
  seq: number;
  /** The source's timestamp of the event that made the moment (never the receiver's clock). */
  ts: string;
  /** 1-based innings number (0 only for the result of a match with no innings). */
  innings: number;
}

/** An innings score at a point: runs and wickets down. */
export interface MomentScore {
  runs: number;
  wickets: number;
}

/** A fall of wicket (retirements hurt or not out are not wickets, so not moments). */
export interface WicketMoment extends MomentBase {
  kind: "wicket";
  /** The batting side. */
  team: string;
  batter: string;
  /** As the card prints it: "c Smith b Jones", "run out (Smith)". */
  howOut: string;
  dismissal: DismissalKind;
  /** The bowler credited with the wicket; null for a run out and the other kinds not credited to the bowler. */
  bowler: string | null;
  /** The fielders' names (a substitute's too, when known; howOut marks them "sub"). */
  fielders: string[];
  /** Which wicket it was: 1 for the first down. */
  wicket: number;
  /** The score at the fall. */
  score: MomentScore;
  /** The ball it fell on, as fall of wickets prints it ("12.3"). */
  over: string;
  /** The batter's runs and balls faced when out. */
  batterRuns: number;
  batterBalls: number;
}

/** A boundary off the bat (as the batter's 4s/6s columns count it; byes and run fours are not). */
export interface BoundaryMoment extends MomentBase {
  kind: "four" | "six";
  team: string;
  batter: string;
  bowler: string;
  over: string;
  /** The score after the ball. */
  score: MomentScore;
}

/** A batter reaching 50, 100, 150 or 200 in the innings. */
export interface BatterMilestoneMoment extends MomentBase {
  kind: "batter-milestone";
  team: string;
  batter: string;
  /** The milestone: 50, 100, 150 or 200. */
  runs: number;
  /** Balls faced to reach it. */
  balls: number;
}

/** A bowler's fifth wicket of the innings (a five-for). */
export interface BowlerMilestoneMoment extends MomentBase {
  kind: "bowler-milestone";
  /** The bowling side. */
  team: string;
  bowler: string;
  wickets: number;
  /** Runs conceded when the milestone came. */
  runs: number;
}

/** A stand reaching 50, 100, 150, … runs (extras included, as partnerships count them). */
export interface PartnershipMilestoneMoment extends MomentBase {
  kind: "partnership-milestone";
  team: string;
  batters: [string, string];
  /** The milestone: a multiple of 50. */
  runs: number;
  /** Legal balls bowled during the stand when it came. */
  balls: number;
  /** The stand's number (1 for the opening stand), as partnerships number them. */
  wicket: number;
}

/** The innings total passing a multiple of 50. */
export interface TeamMilestoneMoment extends MomentBase {
  kind: "team-milestone";
  team: string;
  /** The milestone: a multiple of 50. */
  runs: number;
  wickets: number;
}

/** The end of an over, as the umpire called it. */
export interface OverMoment extends MomentBase {
  kind: "over";
  team: string;
  /** 1-based: the over just completed (the provider's over number + 1). */
  over: number;
  bowler: string;
  /** Every run in the over, extras included. */
  runs: number;
  /** Wickets that fell in the over. */
  wickets: number;
  maiden: boolean;
  /** The innings score at the end of the over. */
  score: MomentScore;
}

export interface InningsEndMoment extends MomentBase {
  kind: "innings-end";
  team: string;
  score: MomentScore;
  overs: string;
  /** Why it ended, when known (a provider that skips innings.end gives no reason). */
  reason: InningsEndReason | null;
}

/** The target in force for a chasing innings (set at its start, or revised). */
export interface TargetMoment extends MomentBase {
  kind: "target";
  /** The chasing side. */
  team: string;
  runs: number;
  /** The overs to get them in; null in unlimited-overs cricket. */
  overs: number | null;
}

export interface ResultMoment extends MomentBase {
  kind: "result";
  result: MatchResult;
  /** As a scorecard prints it: "India won by 4 wickets". */
  text: string;
}

/** A moment that a correction took back: `retracts` is the id of the moment that no longer stands. */
export interface RetractionMoment extends MomentBase {
  kind: "retraction";
  retracts: string;
  retractedKind: Exclude<MomentKind, "retraction">;
}

export type Moment =
  | WicketMoment
  | BoundaryMoment
  | BatterMilestoneMoment
  | BowlerMilestoneMoment
  | PartnershipMilestoneMoment
  | TeamMilestoneMoment
  | OverMoment
  | InningsEndMoment
  | TargetMoment
  | ResultMoment
  | RetractionMoment;

type Stamp = "id" | "matchId" | "seq" | "ts";
type WithoutStamp<M> = M extends unknown ? Omit<M, Stamp> : never;

/** A moment as the state holds it: what it is and its figures, before the event that made it gives it a seq, ts and id. */
export type MomentBody = WithoutStamp<Exclude<Moment, RetractionMoment>>;

/**
 * One moment a state holds. `key` is `<kind>:<subject>`: what the moment is about, independent
 * of when it was found, so a recomputation recognises a moment it already announced.
 */
export interface MomentFact {
  key: string;
  body: MomentBody;
}

/** The event that makes moments: their seq and ts, and the match. */
export interface MomentStamp {
  matchId: string;
  seq: number;
  ts: string;
}
