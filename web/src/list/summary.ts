/**
 * `GET /v1/matches` read for the list page. Parsed field by field rather than cast: an entry
 * from an older server has no `innings` or `result`, and the page then shows the status alone;
 * an entry without a match id is dropped rather than breaking the whole list.
 */

import type { MatchSummary } from "../../../protocol/admin-types.ts";
import type { MatchStatus } from "../../../scoring/index.ts";

/** One innings as the list prints it: "Kings XI Punjab 184/4 (20.0 ov)". */
export interface InningsLine {
  team: string;
  runs: number;
  wickets: number;
  /** Overs as cricket writes them: "19.4". */
  overs: string;
}

/** A list entry as the page uses it. */
export interface ListedMatch extends Pick<MatchSummary, "matchId" | "status" | "teams" | "title"> {
  /** Null when the server does not send scores (older servers): the page shows the status only. */
  innings: InningsLine[] | null;
  result: string | null;
  viewers: number | null;
  /** The source's time of the match's last event: which of two lines is the newer. */
  lastEventTs: string | null;
}

/**
 * The newer of two lines for one match. The ticker may be up to TICKER_MIN_INTERVAL_MS behind
 * the list (it coalesces), so neither source always wins: the later event time does (the
 * source's timestamps, ISO 8601, compare as text); on a tie the incoming line.
 */
export function newerLine(held: ListedMatch | undefined, incoming: ListedMatch): ListedMatch {
  if (!held?.lastEventTs || !incoming.lastEventTs) return held?.lastEventTs ? held : incoming;
  return incoming.lastEventTs >= held.lastEventTs ? incoming : held;
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

function inningsLine(v: unknown): InningsLine | null {
  if (!isObject(v)) return null;
  const team = text(v.team);
  const runs = count(v.runs);
  const wickets = count(v.wickets);
  const overs = typeof v.overs === "number" ? String(v.overs) : text(v.overs);
  return team !== null && runs !== null && wickets !== null && overs !== null
    ? { team, runs, wickets, overs }
    : null;
}

export function parseMatches(body: unknown): ListedMatch[] {
  const list = isObject(body) && Array.isArray(body.matches) ? body.matches : null;
  if (!list) throw new Error("the match list answered without a list of matches");
  return list.flatMap((m): ListedMatch[] => {
    if (!isObject(m)) return [];
    const matchId = text(m.matchId);
    if (!matchId) return [];
    const innings = Array.isArray(m.innings)
      ? m.innings.map(inningsLine).filter((i): i is InningsLine => i !== null)
      : null;
    return [
      {
        matchId,
        status: text(m.status) ?? "unknown",
        teams: Array.isArray(m.teams) ? m.teams.filter((t): t is string => typeof t === "string") : [],
        title: text(m.title),
        innings,
        result: text(m.result),
        viewers: count(m.viewers),
        lastEventTs: text(m.lastEventTs),
      },
    ];
  });
}

/** "184/4", or "170" when all ten wickets fell, as a scorecard prints it. */
export function scoreText(i: InningsLine): string {
  return i.wickets >= 10 ? String(i.runs) : `${i.runs}/${i.wickets}`;
}

const STATUS_LABELS = {
  scheduled: "Scheduled",
  live: "Live",
  "innings break": "Innings break",
  finished: "Match over",
} as const satisfies Record<MatchStatus, string>;

/** The status as a reader says it; a status this page does not know yet, as the server wrote it. */
export function statusLabel(status: string): string {
  return Object.hasOwn(STATUS_LABELS, status) ? STATUS_LABELS[status as MatchStatus] : status;
}
