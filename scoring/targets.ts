/** Which target an innings chases, when the provider did not fix one. */
import type { InningsState, MatchInfo, Target } from "./state.ts";

/** Sum of a team's runs over the regulation (non-super-over) innings among `innings`. */
function aggregate(innings: readonly InningsState[], team: string): number {
  let total = 0;
  for (const inn of innings) if (!inn.superOver && inn.battingTeam === team) total += inn.runs;
  return total;
}

/**
 * The target for `innings[index]`: the provider's wins, and none when it said it has none to give; else for the last regulation innings of a
 * limited-overs match, the opponents' total + 1 in the overs limit; for the fourth innings of an
 * unlimited match, the lead it faces + 1; for the second super over of a pair, the first's total + 1
 * in one over. Otherwise null.
 */
export function targetFor(match: MatchInfo, innings: readonly InningsState[], index: number): Target | null {
  const inn = innings[index];
  if (inn === undefined) return null;
  if (inn.providerTarget !== null) return inn.providerTarget;
  if (inn.targetUnknown) return null;
  const before = innings.slice(0, index);
  if (inn.superOver) {
    const supersBefore = before.filter((i) => i.superOver);
    const first = supersBefore[supersBefore.length - 1];
    if (supersBefore.length % 2 === 1 && first !== undefined) return { runs: first.runs + 1, overs: 1 };
    return null;
  }
  const regulationNumber = before.filter((i) => !i.superOver).length + 1;
  if (match.oversLimit !== null) {
    const first = before.find((i) => !i.superOver);
    if (regulationNumber === 2 && first !== undefined)
      return { runs: first.runs + 1, overs: match.oversLimit };
    return null;
  }
  if (regulationNumber === 4) {
    const needed = aggregate(before, inn.bowlingTeam) - aggregate(before, inn.battingTeam) + 1;
    return needed > 0 ? { runs: needed, overs: null } : null;
  }
  return null;
}

/**
 * Unlimited-overs cricket from the second innings: the batting side's aggregate so far minus the
 * bowling side's (negative: trailing). Null where a lead means nothing (limited overs, super overs).
 */
export function leadFor(match: MatchInfo, innings: readonly InningsState[], index: number): number | null {
  const inn = innings[index];
  if (inn === undefined || inn.superOver || match.oversLimit !== null || index === 0) return null;
  const upTo = innings.slice(0, index + 1);
  return aggregate(upTo, inn.battingTeam) - aggregate(upTo, inn.bowlingTeam);
}
