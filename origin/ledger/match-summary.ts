import type { MatchSummary } from "../../protocol/admin-types.ts";
import type { MatchState } from "../../scoring/index.ts";
import { resultText } from "../../scoring/result-text.ts";

/** The match list's line for a match: a headline, not the state (a few hundred bytes). */
export function summarise(state: MatchState, seq: number, viewers: number): MatchSummary {
  return {
    matchId: state.matchId,
    seq,
    status: state.status,
    teams: state.match?.teams ?? [],
    title: state.match?.title ?? null,
    innings: state.innings.map((i) => ({
      team: i.battingTeam,
      runs: i.runs,
      wickets: i.wickets,
      overs: i.overs,
    })),
    result: state.result ? resultText(state.result) : null,
    lastEventTs: state.lastEventTs,
    viewers,
    chase: chaseOf(state),
  };
}

/** The last innings' target and what it needs, while there is one (the ticker's "needs 23 off 14"). */
function chaseOf(state: MatchState): MatchSummary["chase"] {
  const last = state.innings.at(-1);
  if (!last?.target) return null;
  return {
    target: last.target.runs,
    runsNeeded: last.live.runsNeeded ?? Math.max(0, last.target.runs - last.runs),
    ballsRemaining: last.live.ballsRemaining,
  };
}
