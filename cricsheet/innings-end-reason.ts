/**
 * Why each innings of a Cricsheet match ended. Cricsheet says so only for declarations
 * and forfeits; everything else is inferred from the figures, in this order: the chase
 * was won (penalty runs awarded after its last ball count), the side ran out of batters
 * (ten wickets, two in a super over, counting batters who retired and never came back and
 * batters absent hurt: Law 12.3's "all out"), the overs ran out. An innings that stopped for none of those
 * reasons (rain, bad light, the last day of a drawn Test) is reported as "abandoned".
 */
import type { InningsEndReason } from "../scoring/events.ts";
import type { CricsheetMatch } from "./cricsheet-schema.ts";
import { type InningsTally, tallyInnings } from "./innings-tally.ts";

/** Cricsheet writes a part-over target like 9.5 (nine overs and five balls). */
export function oversToBalls(overs: number, ballsPerOver: number): number {
  const whole = Math.floor(overs);
  return whole * ballsPerOver + Math.round((overs - whole) * 10);
}

export function inferInningsEndReasons(
  match: CricsheetMatch,
  opts: { ballsPerOver: number; oversLimit: number | null },
): InningsEndReason[] {
  const tallies = match.innings.map((innings) => tallyInnings(innings, opts.ballsPerOver));
  return match.innings.map((innings, i) => {
    const tally = tallies[i] as InningsTally;
    if (innings.declared) return "declared";
    if (innings.forfeited) return "forfeited";
    const target = chaseTarget(match, tallies, i, opts.oversLimit === null);
    if (target !== undefined && tally.total >= target) return "target reached";
    const absentHurt = innings.absent_hurt?.length ?? 0;
    if (tally.battersGone + absentHurt >= wicketsToEnd(innings)) return "all out";
    const limit = ballLimit(match, tallies, i, opts);
    if (limit !== undefined && tally.countedBalls >= limit) return "overs complete";
    return "abandoned";
  });
}

/** Wickets that end an innings: ten, or two in a super over (three batters a side). */
function wicketsToEnd(innings: CricsheetMatch["innings"][number]): number {
  return innings.super_over ? 2 : 10;
}

/** The runs innings `i` needed to win, when it was the side batting last (in the match or in a super over). */
function chaseTarget(
  match: CricsheetMatch,
  tallies: readonly InningsTally[],
  i: number,
  unlimitedOvers: boolean,
): number | undefined {
  const innings = match.innings[i];
  if (innings === undefined) return undefined;
  if (innings.target) return innings.target.runs;
  const previous = match.innings[i - 1];
  if (innings.super_over) {
    // Super overs come in pairs; the second of each pair chases the first.
    const position = match.innings.slice(0, i).filter((x) => x.super_over).length;
    return position % 2 === 1 && previous?.super_over ? (tallies[i - 1]?.total ?? 0) + 1 : undefined;
  }
  const regular = match.innings.filter((x) => !x.super_over);
  const lastRegular = unlimitedOvers ? 3 : 1;
  if (regular.indexOf(innings) !== lastRegular) return undefined;
  let theirs = 0;
  let ours = 0;
  match.innings.forEach((x, j) => {
    if (j >= i || x.super_over) return;
    const runs = tallies[j]?.total ?? 0;
    if (x.team === innings.team) ours += runs;
    else theirs += runs;
  });
  return theirs - ours + 1;
}

/** The legal balls innings `i` was allowed, if its length was limited. */
function ballLimit(
  match: CricsheetMatch,
  tallies: readonly InningsTally[],
  i: number,
  opts: { ballsPerOver: number; oversLimit: number | null },
): number | undefined {
  const innings = match.innings[i];
  if (innings === undefined) return undefined;
  if (innings.super_over) return opts.ballsPerOver;
  if (opts.oversLimit === null) return undefined;
  if (innings.target?.overs !== undefined) return oversToBalls(innings.target.overs, opts.ballsPerOver);
  const reduced = i === 0 ? reducedFirstInnings(match, tallies[0], opts) : undefined;
  return (reduced ?? opts.oversLimit) * opts.ballsPerOver;
}

/**
 * The overs the first innings was limited to, when the file shows a match reduced before it
 * began: the reduced length is written only in the chase's target, so if the first innings used
 * up exactly that many overs, it was limited to them too. Undefined when nothing says so.
 */
function reducedFirstInnings(
  match: CricsheetMatch,
  first: InningsTally | undefined,
  opts: { ballsPerOver: number; oversLimit: number | null },
): number | undefined {
  const chaseOvers = match.innings[1]?.target?.overs;
  if (opts.oversLimit === null || chaseOvers === undefined || chaseOvers >= opts.oversLimit) return undefined;
  return first?.countedBalls === oversToBalls(chaseOvers, opts.ballsPerOver) ? chaseOvers : undefined;
}

/** The first innings' reduced overs limit, if the file shows one (see `reducedFirstInnings`). */
export function firstInningsOversLimit(
  match: CricsheetMatch,
  opts: { ballsPerOver: number; oversLimit: number | null },
): number | undefined {
  const first = match.innings[0];
  return first === undefined
    ? undefined
    : reducedFirstInnings(match, tallyInnings(first, opts.ballsPerOver), opts);
}
