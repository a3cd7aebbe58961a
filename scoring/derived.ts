/**
 * Figures that depend on more than one innings (targets, leads) or on the target (required rate),
 * recomputed from the rest of the state after every event. Doing it after every event, rather than
 * where an input changes, is what keeps a correction or a late penalty from leaving one stale.
 * Rates and balls remaining count overs as the umpire called them (`countedBalls`), so a 7-ball
 * over does not eat into a chase's last over.
 */
import { oversToBalls, perOver, round2 } from "./overs.ts";
import type { InningsState, LiveFigures, MatchInfo, MatchState, Target } from "./state.ts";
import { leadFor, targetFor } from "./targets.ts";

function liveFigures(
  match: MatchInfo,
  inn: InningsState,
  target: Target | null,
  lead: number | null,
): LiveFigures {
  const bpo = match.ballsPerOver;
  let runsNeeded: number | null = null;
  let ballsRemaining: number | null = null;
  let requiredRunRate: number | null = null;
  if (target !== null) {
    runsNeeded = Math.max(0, target.runs - inn.runs);
    if (target.overs !== null) {
      ballsRemaining = Math.max(0, oversToBalls(target.overs, bpo) - inn.countedBalls);
      requiredRunRate = ballsRemaining > 0 ? round2((runsNeeded * bpo) / ballsRemaining) : null;
    }
  }
  const projectedScore =
    match.oversLimit !== null && !inn.superOver && inn.countedBalls > 0
      ? Math.round((inn.runs * match.oversLimit * bpo) / inn.countedBalls)
      : null;
  const lastOver = inn.perOver[inn.perOver.length - 1];
  let lastFiveOversRuns = 0;
  let lastFiveOversWickets = 0;
  if (lastOver !== undefined) {
    for (let i = inn.perOver.length - 1; i >= 0; i--) {
      const o = inn.perOver[i];
      if (o === undefined || o.over <= lastOver.over - 5) break;
      lastFiveOversRuns += o.runs;
      lastFiveOversWickets += o.wickets;
    }
  }
  return {
    runRate: perOver(inn.runs, inn.countedBalls, bpo),
    requiredRunRate,
    runsNeeded,
    ballsRemaining,
    projectedScore,
    lastFiveOversRuns,
    lastFiveOversWickets,
    lead,
  };
}

function sameTarget(a: Target | null, b: Target | null): boolean {
  return a === b || (a !== null && b !== null && a.runs === b.runs && a.overs === b.overs);
}

function sameLive(a: LiveFigures, b: LiveFigures): boolean {
  for (const key of Object.keys(a) as (keyof LiveFigures)[]) if (a[key] !== b[key]) return false;
  return true;
}

/** Recomputes targets and live figures for every innings, copying only the innings that changed. */
export function refreshDerived(state: MatchState): MatchState {
  const match = state.match;
  if (match === null || state.innings.length === 0) return state;
  let innings = state.innings;
  for (let i = 0; i < innings.length; i++) {
    const inn = innings[i] as InningsState;
    // Later innings read earlier ones (already refreshed in this loop), never the reverse.
    const target = targetFor(match, innings, i);
    const live = liveFigures(match, inn, target, leadFor(match, innings, i));
    if (sameTarget(target, inn.target) && sameLive(live, inn.live)) continue;
    if (innings === state.innings) innings = innings.slice();
    innings[i] = {
      ...inn,
      target: sameTarget(target, inn.target) ? inn.target : target,
      live: sameLive(live, inn.live) ? inn.live : live,
    };
  }
  return innings === state.innings ? state : { ...state, innings };
}
