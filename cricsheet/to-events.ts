/**
 * Turns a Cricsheet match file into the provider event stream a live feed would have
 * sent for it: match.start, then per innings innings.start, any penalty awarded before
 * it, one delivery per ball, any penalty awarded after it, innings.end; then match.end.
 * Where the umpire called an over after more or fewer balls than usual, the delivery says so
 * (`overEnd`, see `umpire-overs.ts`).
 *
 * Pure: no I/O and no clock, so it runs in Node, workerd and the browser alike (reading
 * the file is `read-file.ts`'s job). Timestamps are synthetic; see `synthetic-clock.ts`.
 *
 * Data: Cricsheet (cricsheet.org), Open Data Commons Attribution License (ODC-BY 1.0);
 * anything that republishes these events must carry that attribution.
 */

import { isValidMatchId } from "../protocol/provider-events.ts";
import { describeIssues, toSchemaIssues } from "../protocol/schema-issues.ts";
import type {
  DeliveryPayload,
  DismissalKind,
  Extras,
  Fielder,
  MatchFormat,
  ProviderEvent,
  Wicket,
} from "../scoring/events.ts";
import { DISMISSAL_KINDS } from "../scoring/events.ts";
import { CricsheetError } from "./cricsheet-error.ts";
import {
  type CricsheetDelivery,
  type CricsheetFielder,
  type CricsheetMatch,
  cricsheetMatchSchema,
} from "./cricsheet-schema.ts";
import { firstInningsOversLimit, inferInningsEndReasons } from "./innings-end-reason.ts";
import { toMatchResult } from "./match-result.ts";
import { syntheticClock } from "./synthetic-clock.ts";
import { umpireOvers } from "./umpire-overs.ts";

/** Cricsheet `match_type` values the adapter understands, and the provider format each becomes. */
const FORMAT_BY_MATCH_TYPE: Readonly<Record<string, MatchFormat>> = {
  T20: "T20",
  IT20: "T20",
  ODI: "ODI",
  ODM: "ODI",
  Test: "Test",
  // Multi-day matches that are not Tests (Sheffield Shield, County Championship): first-class.
  MDM: "FirstClass",
};

const DEFAULT_OVERS: Partial<Record<MatchFormat, number>> = { T20: 20, ODI: 50 };

/** Formats played to no overs limit, whatever `info.overs` says. */
const UNLIMITED_OVERS: ReadonlySet<MatchFormat> = new Set(["Test", "FirstClass"]);

const EXTRA_KINDS = ["wides", "noballs", "byes", "legbyes", "penalty"] as const;

export interface CricsheetToEventsOptions {
  matchId: string;
}

/** Validates a Cricsheet match (throwing `CricsheetError` naming what is wrong) and returns its events, seq 1..N. */
export function cricsheetToEvents(json: unknown, opts: CricsheetToEventsOptions): ProviderEvent[] {
  if (!isValidMatchId(opts.matchId)) {
    // A caller's mistake, not the file's: every event we emit must pass the wire schema.
    throw new TypeError(`invalid matchId ${JSON.stringify(opts.matchId)}`);
  }
  const match = parseCricsheetMatch(json);
  const { info } = match;

  const format = FORMAT_BY_MATCH_TYPE[info.match_type];
  if (format === undefined) {
    throw new CricsheetError(
      `info.match_type ${JSON.stringify(info.match_type)} is not supported; expected one of ${Object.keys(FORMAT_BY_MATCH_TYPE).join(", ")}`,
    );
  }
  const ballsPerOver = info.balls_per_over ?? 6;
  const oversLimit = UNLIMITED_OVERS.has(format) ? null : (info.overs ?? DEFAULT_OVERS[format] ?? null);
  const [teamA, teamB] = info.teams;

  const events: ProviderEvent[] = [];
  const nextTs = syntheticClock(info.dates);
  const envelope = () => ({ matchId: opts.matchId, seq: events.length + 1, ts: nextTs() });

  const title = matchTitle(info.event);
  events.push({
    ...envelope(),
    type: "match.start",
    payload: {
      teams: [teamA, teamB],
      format,
      ballsPerOver,
      oversLimit,
      ...(title !== undefined && { title }),
      ...(info.venue !== undefined && { venue: info.venue }),
      ...(info.toss !== undefined && { toss: { winner: info.toss.winner, decision: info.toss.decision } }),
    },
  });

  const reasons = inferInningsEndReasons(match, { ballsPerOver, oversLimit });
  const firstInningsLimit = firstInningsOversLimit(match, { ballsPerOver, oversLimit });
  match.innings.forEach((innings, index) => {
    const number = index + 1;
    if (innings.team !== teamA && innings.team !== teamB) {
      throw new CricsheetError(
        `innings[${index}].team ${JSON.stringify(innings.team)} is not one of info.teams (${teamA}, ${teamB})`,
      );
    }
    const previous = match.innings[index - 1];
    const followOn =
      oversLimit === null && index === 2 && previous !== undefined && previous.team === innings.team;
    events.push({
      ...envelope(),
      type: "innings.start",
      payload: {
        battingTeam: innings.team,
        bowlingTeam: innings.team === teamA ? teamB : teamA,
        superOver: innings.super_over === true,
        ...(innings.target && {
          target: {
            runs: innings.target.runs,
            ...(innings.target.overs !== undefined && { overs: innings.target.overs }),
          },
        }),
        ...(isUnknownRainTarget(match, index, oversLimit) && { target: null }),
        ...(index === 0 && firstInningsLimit !== undefined && { oversLimit: firstInningsLimit }),
        ...(followOn && { followOn: true }),
      },
    });
    const pre = innings.penalty_runs?.pre;
    if (pre) {
      events.push({
        ...envelope(),
        type: "penalty",
        payload: { innings: number, runs: pre, reason: "penalty runs awarded before the innings" },
      });
    }
    const umpire = umpireOvers(innings, ballsPerOver);
    innings.overs.forEach((over, o) => {
      over.deliveries.forEach((d, i) => {
        const path = `innings[${index}].overs[over ${over.over}].deliveries[${i}]`;
        const payload = toDeliveryPayload(d, { innings: number, over: over.over, ball: i + 1 }, path);
        const overEnd = umpire[o]?.overEnd[i];
        if (overEnd !== undefined) payload.overEnd = overEnd;
        events.push({ ...envelope(), type: "delivery", payload });
      });
    });
    const post = innings.penalty_runs?.post;
    if (post) {
      events.push({
        ...envelope(),
        type: "penalty",
        payload: { innings: number, runs: post, reason: "penalty runs awarded after the innings" },
      });
    }
    const absentHurt = innings.absent_hurt ?? [];
    events.push({
      ...envelope(),
      type: "innings.end",
      payload: {
        innings: number,
        reason: reasons[index] ?? "abandoned",
        ...(absentHurt.length > 0 && { absentHurt: [...absentHurt] }),
      },
    });
  });

  events.push({ ...envelope(), type: "match.end", payload: { result: toMatchResult(info.outcome) } });
  return events;
}

/** Checks the shape of a Cricsheet file, throwing a `CricsheetError` that names the first few bad fields. */
export function parseCricsheetMatch(json: unknown): CricsheetMatch {
  const parsed = cricsheetMatchSchema.safeParse(json);
  if (!parsed.success) {
    const issues = toSchemaIssues(parsed.error);
    throw new CricsheetError(`not a Cricsheet match: ${describeIssues(issues)}`, issues);
  }
  return parsed.data;
}

/**
 * A limited-overs chase whose file gives no target although the result was reached by a method
 * (D/L, DLS, VJD): rain changed the target and the file does not say to what, so the events say
 * so (`target: null`) rather than let the engine derive the plain one.
 */
function isUnknownRainTarget(match: CricsheetMatch, index: number, oversLimit: number | null): boolean {
  const innings = match.innings[index];
  if (oversLimit === null || innings === undefined || innings.super_over || innings.target) return false;
  const regular = match.innings.filter((x) => !x.super_over);
  return regular.indexOf(innings) === 1 && match.info.outcome.method !== undefined;
}

function matchTitle(event: CricsheetMatch["info"]["event"]): string | undefined {
  if (event?.name === undefined) return undefined;
  if (event.match_number !== undefined) return `${event.name} #${event.match_number}`;
  if (event.stage !== undefined) return `${event.name} (${event.stage})`;
  return event.name;
}

function toDeliveryPayload(
  d: CricsheetDelivery,
  at: { innings: number; over: number; ball: number },
  path: string,
): DeliveryPayload {
  const payload: DeliveryPayload = {
    ...at,
    batter: d.batter,
    nonStriker: d.non_striker,
    bowler: d.bowler,
    batterRuns: d.runs.batter,
  };
  const extras: Extras = {};
  let anyExtras = false;
  for (const kind of EXTRA_KINDS) {
    const value = d.extras?.[kind];
    if (value !== undefined) {
      extras[kind] = value;
      anyExtras = true;
    }
  }
  if (anyExtras) payload.extras = extras;
  if (d.runs.non_boundary) payload.nonBoundary = true;
  if (d.wickets && d.wickets.length > 0) {
    payload.wickets = d.wickets.map((w, i) => {
      const wicket: Wicket = {
        kind: toDismissalKind(w.kind, `${path}.wickets[${i}].kind`),
        playerOut: w.player_out,
      };
      if (w.fielders && w.fielders.length > 0) {
        wicket.fielders = w.fielders.map((f, j) => toFielder(f, `${path}.wickets[${i}].fielders[${j}]`));
      }
      return wicket;
    });
  }
  return payload;
}

function toFielder(f: CricsheetFielder, path: string): Fielder {
  if (f.substitute) return f.name === undefined ? { substitute: true } : { substitute: true, name: f.name };
  if (f.name === undefined) throw new CricsheetError(`${path}: a fielder with no name must be a substitute`);
  return f.name;
}

function toDismissalKind(kind: string, path: string): DismissalKind {
  const known = DISMISSAL_KINDS.find((k) => k === kind);
  if (known === undefined)
    throw new CricsheetError(`${path}: unknown dismissal kind ${JSON.stringify(kind)}`);
  return known;
}
