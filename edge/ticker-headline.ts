/**
 * What the ticker shows of a match, and whether it shows it at all: pure decisions the match
 * index asks before it numbers a change. Private matches never get this far (the index drops
 * them before asking); time arrives as arguments.
 */
import type { MatchSummary } from "../protocol/admin-types.ts";
import type { Headline } from "../protocol/ticker.ts";

/** The headline of a match from its summary (the index's row): a few hundred bytes. */
export function headlineOf(summary: MatchSummary): Headline {
  const chase = summary.chase ?? null;
  return {
    matchId: summary.matchId,
    title: summary.title,
    teams: summary.teams,
    status: summary.status,
    innings: summary.innings.map(({ team, runs, wickets, overs }) => ({ team, runs, wickets, overs })),
    target: chase ? chase.target : null,
    // Nothing is required any more once the match is over (won, lost or tied).
    required:
      chase && summary.status !== "finished" ? { runs: chase.runsNeeded, balls: chase.ballsRemaining } : null,
    result: summary.result,
    viewers: Math.max(0, Math.floor(summary.viewers)),
    lastEventTs: summary.lastEventTs,
  };
}

/**
 * Whether a match belongs on the ticker now: every match not finished (scheduled, live, at an
 * innings break), and a finished one for `finishedForMs` after the index first saw it finished.
 */
export function onTicker(
  status: string,
  finishedAt: number | null,
  now: number,
  finishedForMs: number,
): boolean {
  if (status !== "finished") return true;
  return finishedAt !== null && now - finishedAt < finishedForMs;
}

/** Two headlines say the same thing (key order aside: both come from {@link headlineOf}). */
export function sameHeadline(a: Headline | null, b: Headline | null): boolean {
  return a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}
