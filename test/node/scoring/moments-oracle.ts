/**
 * An independent reading of a raw Cricsheet file's moments, sharing no code with `scoring/` or
 * the Cricsheet adapter: a plain walk over each innings' overs and deliveries that writes down,
 * in order, every wicket, four, six, milestone and called over, as one line of text each, so a
 * failing comparison with the engine prints the first line where they part.
 *
 * The rules it applies, as issue 14 states them:
 * - a wicket is every dismissal but retired hurt and retired not out; the bowler is named for
 *   bowled, caught, caught and bowled, lbw, stumped and hit wicket only;
 * - a four or a six is one the batter hit (`runs.batter` 4 or 6 and not `non_boundary`), as the
 *   4s and 6s columns count them: four byes are not a four;
 * - a batter's milestones are 50, 100, 150 and 200 of their own runs; a bowler's is the fifth
 *   wicket credited to them in the innings;
 * - a stand is the runs (extras included) while the same two batters are in; it ends when either
 *   leaves (a retirement too), and its milestones are every 50;
 * - the team's milestones are every 50 of the innings total, innings-level `penalty_runs`
 *   included where they were awarded (before or after the deliveries);
 * - an over is over when the umpire called it: Cricsheet groups deliveries by the umpire's over,
 *   so a group is called when another follows it, when it has its balls, or when
 *   `miscounted_overs` lists it.
 * On one delivery the lines come in this order: wickets, the boundary, batter, bowler, stand,
 * team, over.
 */
import { readFileSync } from "node:fs";

interface RawDelivery {
  batter: string;
  non_striker: string;
  bowler: string;
  runs: { batter: number; extras: number; total: number; non_boundary?: boolean };
  extras?: { wides?: number; noballs?: number };
  wickets?: { player_out: string; kind: string }[];
}
interface RawInnings {
  team: string;
  overs?: { over: number; deliveries: RawDelivery[] }[];
  penalty_runs?: { pre?: number; post?: number };
  miscounted_overs?: Record<string, unknown>;
}
interface RawMatch {
  info: { balls_per_over?: number };
  innings: RawInnings[];
}

const CREDITED = ["bowled", "caught", "caught and bowled", "lbw", "stumped", "hit wicket"];
const NOT_WICKETS = ["retired hurt", "retired not out"];
const BATTER_MILESTONES = [50, 100, 150, 200];

/** The moments of a raw Cricsheet file, one line each, in the order they happened. */
export function rawMoments(path: string): string[] {
  const match = JSON.parse(readFileSync(path, "utf8")) as RawMatch;
  const perOver = match.info.balls_per_over ?? 6;
  return match.innings.flatMap((inn, i) => inningsLines(inn, i + 1, perOver));
}

function fifties(before: number, after: number): number[] {
  const out: number[] = [];
  for (let m = 50; m <= after; m += 50) if (m > before) out.push(m);
  return out;
}

function inningsLines(inn: RawInnings, n: number, perOver: number): string[] {
  const lines: string[] = [];
  let total = 0;
  let wickets = 0;
  const batterRuns: Record<string, number> = {};
  const batterBalls: Record<string, number> = {};
  const bowlerWickets: Record<string, number> = {};
  let pair: string[] | null = null;
  let standRuns = 0;
  let standOver = true;

  const teamRuns = (runs: number) => {
    for (const m of fifties(total, total + runs)) lines.push(`team ${n} ${m} for ${wickets}`);
    total += runs;
  };

  teamRuns(inn.penalty_runs?.pre ?? 0);
  const overs = inn.overs ?? [];
  overs.forEach((over, index) => {
    let overRuns = 0;
    let overWickets = 0;
    let legal = 0;
    over.deliveries.forEach((d, k) => {
      const wide = (d.extras?.wides ?? 0) > 0;
      if (!wide && (d.extras?.noballs ?? 0) === 0) legal += 1;
      overRuns += d.runs.total;

      for (const w of d.wickets ?? []) {
        if (NOT_WICKETS.includes(w.kind)) continue;
        wickets += 1;
        overWickets += 1;
        const bowler = CREDITED.includes(w.kind) ? d.bowler : "-";
        lines.push(`wicket ${n} ${w.player_out} ${w.kind} ${bowler} at ${total + d.runs.total}/${wickets}`);
      }
      const hit = d.runs.non_boundary === true ? 0 : d.runs.batter;
      if (hit === 4 || hit === 6)
        lines.push(`${hit === 4 ? "four" : "six"} ${n} ${d.batter} off ${d.bowler}`);

      const before = batterRuns[d.batter] ?? 0;
      batterRuns[d.batter] = before + d.runs.batter;
      batterBalls[d.batter] = (batterBalls[d.batter] ?? 0) + (wide ? 0 : 1);
      for (const m of BATTER_MILESTONES) {
        if (before < m && before + d.runs.batter >= m)
          lines.push(`batter ${n} ${d.batter} ${m} off ${batterBalls[d.batter]}`);
      }

      const credited = (d.wickets ?? []).filter((w) => CREDITED.includes(w.kind)).length;
      const had = bowlerWickets[d.bowler] ?? 0;
      bowlerWickets[d.bowler] = had + credited;
      if (had < 5 && had + credited >= 5) lines.push(`bowler ${n} ${d.bowler} 5`);

      const together = [d.batter, d.non_striker].sort();
      if (pair === null || standOver || pair[0] !== together[0] || pair[1] !== together[1]) {
        pair = together;
        standRuns = 0;
      }
      for (const m of fifties(standRuns, standRuns + d.runs.total))
        lines.push(`stand ${n} ${pair.join("&")} ${m}`);
      standRuns += d.runs.total;
      standOver = (d.wickets ?? []).some((w) => w.player_out === d.batter || w.player_out === d.non_striker);

      teamRuns(d.runs.total);

      const last = k === over.deliveries.length - 1;
      const called =
        index < overs.length - 1 ||
        inn.miscounted_overs?.[String(over.over)] !== undefined ||
        legal >= perOver;
      if (last && legal > 0 && called) {
        lines.push(`over ${n} ${over.over + 1}: ${overRuns} runs ${overWickets} wkts, ${total}/${wickets}`);
      }
    });
  });
  teamRuns(inn.penalty_runs?.post ?? 0);
  return lines;
}
