/**
 * Crease's cricket scoring engine: a pure reducer from provider events to match state, and the
 * scorecard derived from it. Imports nothing outside this folder.
 */
export { apply } from "./apply.ts";
export type { BallExtras, BallRecord, BallWicket } from "./ball.ts";
export { ballLabel } from "./ball.ts";
export { ENGINE_VERSION } from "./engine-version.ts";
export * from "./events.ts";
export { howOut } from "./how-out.ts";
export {
  type MomentChanges,
  MomentTracker,
  momentChanges,
  momentKey,
  momentsOfLog,
  stampMoment,
} from "./moment-changes.ts";
export * from "./moment-types.ts";
export { BATTER_MILESTONES, BOWLER_MILESTONE_WICKETS, momentsOf, RUNS_MILESTONE_STEP } from "./moments.ts";
export { formatOvers, oversToBalls } from "./overs.ts";
export { replay } from "./replay.ts";
export { resultText } from "./result-text.ts";
export type { BattingCard, BowlingCard, InningsCard, Scorecard } from "./scorecard.ts";
export { recentBalls, scorecard } from "./scorecard.ts";
export { ScoringError } from "./scoring-error.ts";
export type {
  BatterState,
  BowlerState,
  CorrectionRecord,
  Dismissal,
  FallOfWicket,
  InningsState,
  InningsStatus,
  LiveFigures,
  MatchInfo,
  MatchState,
  MatchStatus,
  OverSummary,
  Partnership,
  PartnershipBatter,
  PenaltyRecord,
  Target,
} from "./state.ts";
export { emptyState, INNINGS_STATUSES, MATCH_STATUSES } from "./state.ts";
