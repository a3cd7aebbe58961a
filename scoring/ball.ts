/**
 * The compact record of one delivery that each innings keeps, and the facts scorers read off it.
 * Every figure in an innings is a fold over these records, so a correction is "swap one record,
 * fold again" (see `innings-fold.ts`).
 */
import type { DeliveryPayload, DismissalKind, Fielder } from "./events.ts";
import { ScoringError } from "./scoring-error.ts";

export interface BallExtras {
  wides: number;
  noballs: number;
  byes: number;
  legbyes: number;
  penalty: number;
}

export interface BallWicket {
  kind: DismissalKind;
  playerOut: string;
  fielders: Fielder[];
}

/** One delivery as applied, with every optional field made explicit so the state is plain JSON. */
export interface BallRecord {
  /** The seq of the delivery event; a correction keeps the seq of the delivery it replaces. */
  seq: number;
  over: number;
  ball: number;
  batter: string;
  nonStriker: string;
  bowler: string;
  batterRuns: number;
  extras: BallExtras;
  nonBoundary: boolean;
  wickets: BallWicket[];
  /** For the wagon wheel: degrees clockwise from straight down the ground, and metres. */
  shot: { angle: number; distance: number | null } | null;
  /**
   * The umpire's call of "over" when the provider sent one (see `DeliveryPayload.overEnd`).
   * Absent otherwise, so an ordinary feed's state is what it always was.
   */
  overEnd?: boolean;
}

function count(value: number | undefined, field: string, seq: number): number {
  const n = value ?? 0;
  if (!Number.isInteger(n) || n < 0) {
    throw new ScoringError(`delivery seq ${seq}: ${field} must be a non-negative integer, got ${n}`);
  }
  return n;
}

/**
 * Builds the record for a delivery, rejecting what no scorer could record (negative runs, a batter
 * at both ends). Field-level shape is the wire schema's job; these are the cricket checks.
 */
export function toBallRecord(seq: number, d: DeliveryPayload): BallRecord {
  if (d.batter === d.nonStriker) {
    throw new ScoringError(`delivery seq ${seq}: ${d.batter} cannot be both striker and non-striker`);
  }
  const extras: BallExtras = {
    wides: count(d.extras?.wides, "extras.wides", seq),
    noballs: count(d.extras?.noballs, "extras.noballs", seq),
    byes: count(d.extras?.byes, "extras.byes", seq),
    legbyes: count(d.extras?.legbyes, "extras.legbyes", seq),
    penalty: count(d.extras?.penalty, "extras.penalty", seq),
  };
  return {
    seq,
    over: d.over,
    ball: d.ball,
    batter: d.batter,
    nonStriker: d.nonStriker,
    bowler: d.bowler,
    batterRuns: count(d.batterRuns, "batterRuns", seq),
    extras,
    nonBoundary: d.nonBoundary === true,
    wickets: (d.wickets ?? []).map((w) => ({
      kind: w.kind,
      playerOut: w.playerOut,
      fielders: (w.fielders ?? []).map(copyFielder),
    })),
    shot: d.shot ? { angle: d.shot.angle, distance: d.shot.distance ?? null } : null,
    ...(d.overEnd !== undefined && { overEnd: d.overEnd }),
  };
}

/** A fresh copy of a fielder, with no `undefined` in it, so the state stays plain JSON. */
function copyFielder(f: Fielder): Fielder {
  if (typeof f === "string") return f;
  return f.name === undefined ? { substitute: true } : { substitute: true, name: f.name };
}

/** Wides and no-balls are not legal balls: they do not count towards the over. */
export function isLegal(b: BallRecord): boolean {
  return b.extras.wides === 0 && b.extras.noballs === 0;
}

/** A wide is not a ball faced; a no-ball is. */
export function isBallFaced(b: BallRecord): boolean {
  return b.extras.wides === 0;
}

export function extrasTotal(e: BallExtras): number {
  return e.wides + e.noballs + e.byes + e.legbyes + e.penalty;
}

/** Everything the delivery added to the innings total. */
export function ballRuns(b: BallRecord): number {
  return b.batterRuns + extrasTotal(b.extras);
}

/** What the bowler is charged: runs off the bat, wides and no-balls; never byes, leg-byes or penalties. */
export function bowlerRuns(b: BallRecord): number {
  return b.batterRuns + b.extras.wides + b.extras.noballs;
}

export function isFour(b: BallRecord): boolean {
  return b.batterRuns === 4 && !b.nonBoundary;
}

export function isSix(b: BallRecord): boolean {
  return b.batterRuns === 6 && !b.nonBoundary;
}

/**
 * Runs the batters physically ran (their parity decides whether they crossed). The one-run
 * penalty of a wide or no-ball is not run; boundaries are even and so never change ends.
 */
export function runsRun(b: BallRecord): number {
  return (
    b.batterRuns +
    b.extras.byes +
    b.extras.legbyes +
    Math.max(0, b.extras.wides - 1) +
    Math.max(0, b.extras.noballs - 1)
  );
}

/** A short label for the recent-balls strip: "0", "4", "1lb", "2wd", "5nb", "W", "1W". */
export function ballLabel(b: BallRecord): string {
  const e = b.extras;
  let label: string;
  if (e.wides > 0) label = `${e.wides}wd`;
  else if (e.noballs > 0) label = `${b.batterRuns + e.noballs + e.byes + e.legbyes}nb`;
  else if (e.byes > 0) label = `${e.byes}b`;
  else if (e.legbyes > 0) label = `${e.legbyes}lb`;
  else label = `${b.batterRuns}`;
  if (b.wickets.length === 0) return label;
  return label === "0" ? "W" : `${label}W`;
}
