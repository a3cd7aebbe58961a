/**
 * The provider event model: what a cricket data provider sends, ball by ball.
 *
 * These are plain types; the wire schema that turns `unknown` into them lives in
 * `protocol/provider-events.ts`. Every event carries an envelope: the match it
 * belongs to, the provider's per-match sequence number (contiguous from 1), and
 * the source's timestamp (event time, never the receiver's clock).
 */

/** Match formats the engine knows. An unknown format is rejected at the boundary. */
export const MATCH_FORMATS = ["T20", "ODI", "Test", "T10", "Hundred", "FirstClass", "ListA"] as const;
export type MatchFormat = (typeof MATCH_FORMATS)[number];

/** How a batter can be dismissed (or leave the crease), spelled as scorers and Cricsheet spell it. */
export const DISMISSAL_KINDS = [
  "bowled",
  "caught",
  "caught and bowled",
  "lbw",
  "stumped",
  "hit wicket",
  "run out",
  "obstructing the field",
  "handled the ball",
  "hit the ball twice",
  "timed out",
  "retired out",
  "retired hurt",
  "retired not out",
] as const;
export type DismissalKind = (typeof DISMISSAL_KINDS)[number];

export const INNINGS_END_REASONS = [
  "all out",
  "overs complete",
  "declared",
  "forfeited",
  "target reached",
  "abandoned",
] as const;
export type InningsEndReason = (typeof INNINGS_END_REASONS)[number];

export interface Envelope<T extends string, P> {
  matchId: string;
  /** The provider's per-match sequence number: integer >= 1, contiguous. */
  seq: number;
  /** ISO-8601 timestamp from the source (event time). */
  ts: string;
  type: T;
  payload: P;
}

export interface MatchStartPayload {
  /** The two teams, in the order the provider lists them. */
  teams: [string, string];
  format: MatchFormat;
  ballsPerOver: number;
  /** Overs per innings for limited-overs matches; null for unlimited (Tests). */
  oversLimit: number | null;
  /** Optional descriptive fields for display. */
  title?: string;
  venue?: string;
  toss?: { winner: string; decision: "bat" | "field" };
}

export interface InningsStartPayload {
  battingTeam: string;
  bowlingTeam: string;
  superOver: boolean;
  /**
   * Set when the provider fixes the target (e.g. a rain-adjusted D/L target). null: the provider
   * knows this chase's target is not the plain one (rain changed it) but cannot give it, so none
   * is derived: a card says nothing rather than guess.
   */
  target?: { runs: number; overs?: number } | null;
  /**
   * The overs this innings is limited to, when fewer than the match's `oversLimit` (a match
   * reduced before it began). A chase's reduced length is its target's `overs`.
   */
  oversLimit?: number;
  /** True when this innings is a follow-on. */
  followOn?: boolean;
}

export interface Extras {
  wides?: number;
  noballs?: number;
  byes?: number;
  legbyes?: number;
  penalty?: number;
}

/**
 * A substitute fielding for a player of the side (Law 24.1), as a scorecard marks them: "c sub
 * (Yuvraj Singh) b Kumble", or "c sub b Kumble" when the source does not know who it was.
 */
export interface SubstituteFielder {
  substitute: true;
  name?: string;
}

/** A fielder in a dismissal: a player of the side by name, or a substitute. */
export type Fielder = string | SubstituteFielder;

export interface Wicket {
  kind: DismissalKind;
  playerOut: string;
  fielders?: Fielder[];
}

export interface DeliveryPayload {
  /** 1-based innings number this delivery belongs to. */
  innings: number;
  /** 0-based over number (over 19 is the twentieth over). */
  over: number;
  /** 1-based index of this delivery within the over, counting wides and no-balls. */
  ball: number;
  batter: string;
  nonStriker: string;
  bowler: string;
  /** Runs scored off the bat (including boundaries). */
  batterRuns: number;
  extras?: Extras;
  /** True when four or six runs were run rather than a boundary. */
  nonBoundary?: boolean;
  wickets?: Wicket[];
  /** Where the ball went, for the wagon wheel: degrees clockwise from straight down the ground, and metres. */
  shot?: { angle: number; distance?: number };
  /**
   * The umpire's call of "over", for when it is not the usual one (Law 17.5.1: the over as the
   * umpire counted it stands). true: the umpire called over after this delivery although the over
   * has fewer than `ballsPerOver` legal balls (a 5-ball over is a complete over); false: they did
   * not, although it has them all (on the sixth legal ball of a 7-ball over, and on each legal ball
   * after it but the last). Omitted: the over ends with its `ballsPerOver`-th legal ball, as usual.
   */
  overEnd?: boolean;
}

export interface PenaltyPayload {
  /** The 1-based innings the runs are added to (the batting side of that innings gets them). */
  innings: number;
  runs: number;
  reason?: string;
}

export interface CorrectionPayload {
  /** The seq of the delivery event this replaces. */
  targetSeq: number;
  delivery: DeliveryPayload;
}

export interface InningsEndPayload {
  innings: number;
  reason: InningsEndReason;
  /**
   * Batters who were absent hurt: they could not come in, so the innings closed without them (by
   * Law the side is then all out, with fewer than ten wickets). The card lists them as "absent hurt".
   */
  absentHurt?: string[];
}

export type MatchResult =
  | {
      kind: "win";
      winner: string;
      by?: { runs?: number; wickets?: number; innings?: number };
      method?: string;
    }
  | { kind: "tie"; method?: string; decidedBy?: { winner: string; method: string } }
  | { kind: "draw" }
  | { kind: "no result" };

export interface MatchEndPayload {
  result: MatchResult;
}

export type MatchStartEvent = Envelope<"match.start", MatchStartPayload>;
export type InningsStartEvent = Envelope<"innings.start", InningsStartPayload>;
export type DeliveryEvent = Envelope<"delivery", DeliveryPayload>;
export type PenaltyEvent = Envelope<"penalty", PenaltyPayload>;
export type CorrectionEvent = Envelope<"correction", CorrectionPayload>;
export type InningsEndEvent = Envelope<"innings.end", InningsEndPayload>;
export type MatchEndEvent = Envelope<"match.end", MatchEndPayload>;

export type ProviderEvent =
  | MatchStartEvent
  | InningsStartEvent
  | DeliveryEvent
  | PenaltyEvent
  | CorrectionEvent
  | InningsEndEvent
  | MatchEndEvent;

export type ProviderEventType = ProviderEvent["type"];

export const EVENT_TYPES = [
  "match.start",
  "innings.start",
  "delivery",
  "penalty",
  "correction",
  "innings.end",
  "match.end",
] as const satisfies readonly ProviderEventType[];
