/**
 * An independent scorer for Cricsheet files: it reads the raw JSON and applies the Laws as
 * plainly as they can be written, sharing no code with `scoring/` or the Cricsheet adapter.
 * When it and the engine disagree, one of them has a bug, and the failing test names the figure.
 *
 * The Laws it applies:
 * - a wide or a no-ball is not one of the over's balls; a wide is not a ball faced;
 * - the bowler is charged runs off the bat, wides and no-balls, never byes, leg-byes or penalty
 *   runs; and credited with bowled, caught, lbw, stumped and hit wicket only: not run out, hit
 *   the ball twice (Law 34), obstructing the field, handled the ball or timed out;
 * - retired hurt and retired not out are not wickets (Law 25.4);
 * - the over as the umpire counted it stands (Law 17.5.1): Cricsheet groups deliveries by the
 *   over the umpire called, so each group is one over; it was called when another follows it,
 *   when it has its balls, or when `miscounted_overs` lists it (a short last over). A called over
 *   is a whole over in the overs, the bowler of its last ball taking any difference;
 * - a maiden is a called over bowled throughout by one bowler that cost them nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../../../fixtures");

/** Every Cricsheet fixture: the first 27 and the 16 rare cases, as paths. */
export function allFixturePaths(): string[] {
  return ["cricsheet", "cricsheet-extra"].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => join(ROOT, dir, f)),
  );
}

interface RawDelivery {
  batter: string;
  non_striker: string;
  bowler: string;
  runs: { batter: number; extras: number; total: number; non_boundary?: boolean };
  extras?: { wides?: number; noballs?: number; byes?: number; legbyes?: number; penalty?: number };
  wickets?: { player_out: string; kind: string }[];
}
interface RawInnings {
  team: string;
  overs?: { over: number; deliveries: RawDelivery[] }[];
  declared?: boolean;
  forfeited?: boolean;
  penalty_runs?: { pre?: number; post?: number };
  miscounted_overs?: Record<string, unknown>;
}
interface RawMatch {
  info: {
    match_type: string;
    balls_per_over?: number;
    outcome: { winner?: string; result?: string };
  };
  innings: RawInnings[];
}

export interface OracleBatter {
  runs: number;
  balls: number;
  fours: number;
  sixes: number;
  out: boolean;
}
export interface OracleBowler {
  legalBalls: number;
  overs: string;
  runs: number;
  wickets: number;
  maidens: number;
  wides: number;
  noballs: number;
}
export interface OracleInnings {
  team: string;
  runs: number;
  wickets: number;
  legalBalls: number;
  overs: string;
  extras: { wides: number; noballs: number; byes: number; legbyes: number; penalty: number; total: number };
  declared: boolean;
  forfeited: boolean;
  batters: Record<string, OracleBatter>;
  bowlers: Record<string, OracleBowler>;
}
export interface OracleMatch {
  format: string;
  /** "win" with the winner, or Cricsheet's result word (tie, draw, no result). */
  result: string;
  innings: OracleInnings[];
}

const TYPES: Record<string, string> = {
  Test: "Test",
  MDM: "FirstClass",
  ODI: "ODI",
  ODM: "ODI",
  T20: "T20",
  IT20: "T20",
};
const BOWLERS_WICKETS = ["bowled", "caught", "caught and bowled", "lbw", "stumped", "hit wicket"];
const NOT_WICKETS = ["retired hurt", "retired not out"];

export function scoreMatch(path: string): OracleMatch {
  const match = JSON.parse(readFileSync(path, "utf8")) as RawMatch;
  const perOver = match.info.balls_per_over ?? 6;
  const outcome = match.info.outcome;
  return {
    format: TYPES[match.info.match_type] ?? `unknown ${match.info.match_type}`,
    result: outcome.winner !== undefined ? `win ${outcome.winner}` : String(outcome.result),
    innings: match.innings.map((inn) => scoreInnings(inn, perOver)),
  };
}

function scoreInnings(inn: RawInnings, perOver: number): OracleInnings {
  const pre = inn.penalty_runs?.pre ?? 0;
  const post = inn.penalty_runs?.post ?? 0;
  const card: OracleInnings = {
    team: inn.team,
    runs: pre + post,
    wickets: 0,
    legalBalls: 0,
    overs: "",
    extras: { wides: 0, noballs: 0, byes: 0, legbyes: 0, penalty: pre + post, total: 0 },
    declared: inn.declared === true,
    forfeited: inn.forfeited === true,
    batters: {},
    bowlers: {},
  };
  const batter = (name: string): OracleBatter => {
    card.batters[name] ??= { runs: 0, balls: 0, fours: 0, sixes: 0, out: false };
    return card.batters[name];
  };
  // Balls as the umpire counted them, per bowler; turned into overs text at the end.
  const counted: Record<string, number> = {};
  const bowler = (name: string): OracleBowler => {
    counted[name] ??= 0;
    card.bowlers[name] ??= {
      legalBalls: 0,
      overs: "",
      runs: 0,
      wickets: 0,
      maidens: 0,
      wides: 0,
      noballs: 0,
    };
    return card.bowlers[name];
  };

  const overs = inn.overs ?? [];
  let calledOvers = 0;
  let ballsInUnfinishedOver = 0;
  overs.forEach((over, index) => {
    let legalInOver = 0;
    let costInOver = 0;
    const bowlersInOver = new Set<string>();
    for (const d of over.deliveries) {
      const wides = d.extras?.wides ?? 0;
      const noballs = d.extras?.noballs ?? 0;
      const legal = wides === 0 && noballs === 0;
      card.runs += d.runs.total;
      card.extras.wides += wides;
      card.extras.noballs += noballs;
      card.extras.byes += d.extras?.byes ?? 0;
      card.extras.legbyes += d.extras?.legbyes ?? 0;
      card.extras.penalty += d.extras?.penalty ?? 0;

      batter(d.batter);
      batter(d.non_striker);
      const striker = batter(d.batter);
      striker.runs += d.runs.batter;
      if (wides === 0) striker.balls += 1;
      if (d.runs.batter === 4 && d.runs.non_boundary !== true) striker.fours += 1;
      if (d.runs.batter === 6 && d.runs.non_boundary !== true) striker.sixes += 1;

      const b = bowler(d.bowler);
      const cost = d.runs.batter + wides + noballs;
      b.runs += cost;
      costInOver += cost;
      if (wides > 0) b.wides += 1;
      if (noballs > 0) b.noballs += 1;
      bowlersInOver.add(d.bowler);
      if (legal) {
        card.legalBalls += 1;
        b.legalBalls += 1;
        counted[d.bowler] = (counted[d.bowler] ?? 0) + 1;
        legalInOver += 1;
      }

      for (const w of d.wickets ?? []) {
        if (NOT_WICKETS.includes(w.kind)) {
          batter(w.player_out);
          continue;
        }
        card.wickets += 1;
        batter(w.player_out).out = true;
        if (BOWLERS_WICKETS.includes(w.kind)) b.wickets += 1;
      }
    }

    const followed = index < overs.length - 1;
    const listed = inn.miscounted_overs?.[String(over.over)] !== undefined;
    const called = legalInOver > 0 && (followed || listed || legalInOver >= perOver);
    if (!called) {
      ballsInUnfinishedOver = legalInOver;
      return;
    }
    calledOvers += 1;
    const last = over.deliveries[over.deliveries.length - 1] as RawDelivery;
    counted[last.bowler] = (counted[last.bowler] ?? 0) + perOver - legalInOver;
    const [only] = bowlersInOver;
    if (bowlersInOver.size === 1 && only !== undefined && costInOver === 0) bowler(only).maidens += 1;
  });

  card.overs = `${calledOvers}.${ballsInUnfinishedOver}`;
  for (const [name, b] of Object.entries(card.bowlers)) {
    const balls = counted[name] ?? 0;
    b.overs = `${Math.floor(balls / perOver)}.${balls % perOver}`;
  }
  const e = card.extras;
  e.total = e.wides + e.noballs + e.byes + e.legbyes + e.penalty;
  return card;
}
