/**
 * The words an embedded score shows, from a match state or a ticker headline: pure, so the two
 * elements print a score the same way ("184/4 (20.0)", all out as "170 (19.2)").
 */
import type { Headline } from "../../../client/index.ts";
import { resultText } from "../../../scoring/result-text.ts";
import type { MatchState } from "../../../scoring/state.ts";

export interface Line {
  team: string;
  runs: number;
  wickets: number;
  overs: string;
}

/** "184/4 (20.0)", or "170 (19.2)" when all ten wickets fell. */
export function scoreText(i: Line): string {
  return `${i.wickets >= 10 ? i.runs : `${i.runs}/${i.wickets}`} (${i.overs})`;
}

/**
 * Every innings: "CSK 184/4 (20.0) · MI 120/3 (14.2)" (or one a line with `separator` "\n");
 * the teams before a ball.
 */
export function scoreLine(teams: readonly string[], innings: readonly Line[], separator = " · "): string {
  if (innings.length === 0) return teams.join(" v ");
  return innings.map((i) => `${i.team} ${scoreText(i)}`).join(separator);
}

/** "MI need 45 from 30 balls", "Target 185", or null when nobody is chasing. */
export function requirement(
  team: string | null,
  target: number | null,
  required: { runs: number; balls: number | null } | null,
): string | null {
  if (required && team && required.runs > 0)
    return `${team} need ${required.runs} run${required.runs === 1 ? "" : "s"}${
      required.balls === null ? "" : ` from ${required.balls} ball${required.balls === 1 ? "" : "s"}`
    }`;
  return target === null ? null : `Target ${target}`;
}

/** What a score element shows, read from the match state. */
export interface ScoreView {
  title: string;
  teams: string[];
  innings: Line[];
  requirement: string | null;
  result: string | null;
  /** "Kohli 45* (30), Pant 12 (9)": the batters at the crease. */
  batters: string | null;
  over: boolean;
}

export function scoreView(state: MatchState): ScoreView {
  const teams = state.match?.teams ? [...state.match.teams] : [];
  const innings = state.innings.map((i) => ({
    team: i.battingTeam,
    runs: i.runs,
    wickets: i.wickets,
    overs: i.overs,
  }));
  const current = state.innings.at(-1);
  const chasing = current && current.status === "in progress" && current.target ? current : null;
  const need =
    chasing?.target && state.result === null
      ? requirement(
          chasing.battingTeam,
          chasing.target.runs,
          chasing.live.runsNeeded === null
            ? null
            : { runs: chasing.live.runsNeeded, balls: chasing.live.ballsRemaining },
        )
      : null;
  const atCrease =
    current && current.status === "in progress" && state.result === null
      ? [current.striker, current.nonStriker]
          .flatMap((name) => current.batters.filter((b) => b.name === name && !b.out))
          .map((b) => `${b.name} ${b.runs}${b.name === current.striker ? "*" : ""} (${b.balls})`)
      : [];
  return {
    title: state.match?.title ?? (teams.length ? teams.join(" v ") : state.matchId),
    teams,
    innings,
    requirement: need,
    result: state.result ? resultText(state.result) : null,
    batters: atCrease.length ? atCrease.join(", ") : null,
    over: state.status === "finished" || state.result !== null,
  };
}

/** A headline's status in words. */
export function headlineStatus(h: Headline): string {
  if (h.result) return h.result;
  const labels: Record<string, string> = {
    scheduled: "Scheduled",
    live: "Live",
    "innings break": "Innings break",
    finished: "Match over",
  };
  return labels[h.status] ?? h.status;
}
