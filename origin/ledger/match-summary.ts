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
  };
}
