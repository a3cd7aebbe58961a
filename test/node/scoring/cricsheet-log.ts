/**
 * A deliberately minimal Cricsheet-to-events conversion, only so the engine's tests can check it
 * against the real matches and the figures documented in fixtures/cricsheet/README.md and
 * fixtures/cricsheet-extra/README.md. The real adapter lives in cricsheet/; this one is
 * independent so the two can disagree loudly.
 */
import { readFileSync } from "node:fs";
import type { DeliveryPayload, MatchFormat, ProviderEvent } from "../../../scoring/index.ts";

interface CsDelivery {
  batter: string;
  bowler: string;
  non_striker: string;
  runs: { batter: number; extras: number; total: number; non_boundary?: boolean };
  extras?: { wides?: number; noballs?: number; byes?: number; legbyes?: number; penalty?: number };
  wickets?: { player_out: string; kind: string; fielders?: { name?: string }[] }[];
}

interface CsInnings {
  team: string;
  overs?: { over: number; deliveries: CsDelivery[] }[];
  super_over?: boolean;
  declared?: boolean;
  forfeited?: boolean;
  miscounted_overs?: Record<string, unknown>;
  target?: { runs: number; overs?: number };
  penalty_runs?: { pre?: number; post?: number };
}

interface CsMatch {
  info: { teams: [string, string]; match_type: string; balls_per_over: number; overs?: number };
  innings: CsInnings[];
}

export const FIXTURE_DIR = new URL("../../../fixtures/cricsheet/", import.meta.url);
export const EXTRA_FIXTURE_DIR = new URL("../../../fixtures/cricsheet-extra/", import.meta.url);

const isLegal = (d: CsDelivery) => !d.extras?.wides && !d.extras?.noballs;

/**
 * The umpire's call on each delivery of an over, where it is not the usual one: Cricsheet groups
 * deliveries by the umpire's over, so an over followed by another (or listed in
 * `miscounted_overs`) was called after its last delivery, however many legal balls it had.
 */
function overEnds(over: CsDelivery[], called: boolean, ballsPerOver: number): (boolean | undefined)[] {
  const legal = over.filter(isLegal).length;
  if (!called || legal === ballsPerOver) return over.map(() => undefined);
  let seen = 0;
  return over.map((d, i) => {
    if (i === over.length - 1) return true;
    if (isLegal(d)) seen += 1;
    return isLegal(d) && seen >= ballsPerOver ? false : undefined;
  });
}

export function cricsheetEvents(id: string, dir: URL = FIXTURE_DIR): ProviderEvent[] {
  const m = JSON.parse(readFileSync(new URL(`${id}.json`, dir), "utf8")) as CsMatch;
  const events: ProviderEvent[] = [];
  let seq = 0;
  const ts = "2024-01-01T00:00:00Z";
  const push = (type: ProviderEvent["type"], payload: unknown) => {
    seq += 1;
    events.push({ matchId: id, seq, ts, type, payload } as ProviderEvent);
  };
  const format: MatchFormat = m.info.match_type === "MDM" ? "FirstClass" : (m.info.match_type as MatchFormat);
  push("match.start", {
    teams: m.info.teams,
    format,
    ballsPerOver: m.info.balls_per_over,
    oversLimit: m.info.overs ?? null,
  });
  m.innings.forEach((inn, i) => {
    const number = i + 1;
    const bowlingTeam = m.info.teams.find((t) => t !== inn.team) as string;
    push("innings.start", {
      battingTeam: inn.team,
      bowlingTeam,
      superOver: inn.super_over === true,
      ...(inn.target ? { target: inn.target } : {}),
    });
    if (inn.penalty_runs?.pre) push("penalty", { innings: number, runs: inn.penalty_runs.pre });
    const overs = inn.overs ?? [];
    for (const [o, over] of overs.entries()) {
      const called =
        o < overs.length - 1 ||
        inn.miscounted_overs?.[String(over.over)] !== undefined ||
        over.deliveries.filter(isLegal).length >= m.info.balls_per_over;
      const ends = overEnds(over.deliveries, called, m.info.balls_per_over);
      over.deliveries.forEach((d, b) => {
        const payload: DeliveryPayload = {
          innings: number,
          over: over.over,
          ball: b + 1,
          batter: d.batter,
          nonStriker: d.non_striker,
          bowler: d.bowler,
          batterRuns: d.runs.batter,
          ...(d.extras ? { extras: d.extras } : {}),
          ...(d.runs.non_boundary ? { nonBoundary: true } : {}),
          ...(d.wickets
            ? {
                wickets: d.wickets.map((w) => ({
                  kind: w.kind as never,
                  playerOut: w.player_out,
                  fielders: (w.fielders ?? []).flatMap((f) => (f.name ? [f.name] : [])),
                })),
              }
            : {}),
          ...(ends[b] !== undefined ? { overEnd: ends[b] } : {}),
        };
        push("delivery", payload);
      });
    }
    const reason = inn.forfeited ? "forfeited" : inn.declared ? "declared" : "all out";
    push("innings.end", { innings: number, reason });
    if (inn.penalty_runs?.post) push("penalty", { innings: number, runs: inn.penalty_runs.post });
  });
  push("match.end", { result: { kind: "draw" } });
  return events;
}

export interface DocumentedInnings {
  id: string;
  innings: number;
  team: string;
  superOver: boolean;
  /** Runs from the deliveries alone (innings-level penalty_runs excluded). */
  runs: number;
  runsWithPenaltyRuns: number;
  wickets: number;
  legalBalls: number;
  overs: string;
  extras: [number, number, number, number, number];
  declared: boolean;
  forfeited: boolean;
}

/** The per-innings table of fixtures/cricsheet/README.md (or of the README in `dir`). */
export function documentedInnings(dir: URL = FIXTURE_DIR): DocumentedInnings[] {
  const readme = readFileSync(new URL("README.md", dir), "utf8");
  const rows: DocumentedInnings[] = [];
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const match = /^`(\d+)\.json`$/.exec(cells[1] ?? "");
    if (!match || cells.length < 14 || !/^\d+$/.test(cells[2] ?? "")) continue;
    rows.push({
      id: match[1] as string,
      innings: Number(cells[2]),
      team: cells[3] as string,
      superOver: cells[4] === "yes",
      runs: Number(cells[5]),
      runsWithPenaltyRuns: Number(cells[11]),
      wickets: Number(cells[6]),
      legalBalls: Number(cells[7]),
      overs: cells[8] as string,
      extras: (cells[9] as string).split("/").map(Number) as DocumentedInnings["extras"],
      declared: cells[12] === "yes",
      forfeited: cells[14] === "yes",
    });
  }
  return rows;
}

export interface DocumentedUmpireOver {
  id: string;
  innings: number;
  over: number;
  legalBalls: number;
  bowler: string;
  bowlerOvers: string;
  bowlerMaidens: number;
}

/** The "umpire's overs" table of fixtures/cricsheet-extra/README.md: each short or long over and its bowler's figures. */
export function documentedUmpireOvers(dir: URL = EXTRA_FIXTURE_DIR): DocumentedUmpireOver[] {
  const readme = readFileSync(new URL("README.md", dir), "utf8");
  const rows: DocumentedUmpireOver[] = [];
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const match = /^`(\d+)\.json`$/.exec(cells[1] ?? "");
    if (!match || cells.length !== 12 || !/^(yes|no)$/.test(cells[4] ?? "")) continue;
    rows.push({
      id: match[1] as string,
      innings: Number(cells[2]),
      over: Number(cells[3]),
      legalBalls: Number(cells[5]),
      bowler: cells[6] as string,
      bowlerOvers: cells[8] as string,
      bowlerMaidens: Number(cells[9]),
    });
  }
  return rows;
}
