/**
 * The overs of a Cricsheet innings as the umpire called them (Law 17.5.1: the over as the umpire
 * counted it stands).
 *
 * Cricsheet groups deliveries by the over the umpire called, so each entry of `overs` is one
 * over, whatever its number of legal balls. It is complete when another over follows it, when it
 * has its `balls_per_over` legal balls, or when `miscounted_overs` lists it (the only way to tell
 * that a short last over was called rather than cut off by the end of the innings). A short over
 * or a long one is not always listed: `1298152`'s last over has 7 legal balls and no entry, so
 * the grouping is what the adapter trusts, and `miscounted_overs` only settles the last over.
 */
import type { CricsheetDelivery, CricsheetInnings } from "./cricsheet-schema.ts";

export interface UmpireOver {
  legalBalls: number;
  complete: boolean;
  /**
   * The `overEnd` each delivery carries, by index in the over: only where the umpire's call is
   * not the usual one, so an innings whose overs all had their balls gets no marks at all.
   */
  overEnd: (boolean | undefined)[];
}

export function isLegalDelivery(d: CricsheetDelivery): boolean {
  return !d.extras?.wides && !d.extras?.noballs;
}

/** The umpire's overs of an innings, in order. */
export function umpireOvers(innings: CricsheetInnings, ballsPerOver: number): UmpireOver[] {
  const listed = innings.miscounted_overs ?? {};
  return innings.overs.map((over, i) => {
    const legalBalls = over.deliveries.filter(isLegalDelivery).length;
    const isLast = i === innings.overs.length - 1;
    // An "over" of wides alone cannot be one the umpire called; leave it to the default count.
    const complete =
      legalBalls > 0 && (!isLast || legalBalls >= ballsPerOver || listed[String(over.over)] !== undefined);
    const overEnd: (boolean | undefined)[] = over.deliveries.map(() => undefined);
    if (complete && legalBalls !== ballsPerOver) {
      // Every legal ball from the one that would usually end the over did not end it: say so, or
      // the engine changes ends there. Then the over's last delivery is where the umpire called it.
      let legal = 0;
      over.deliveries.forEach((d, i) => {
        if (isLegalDelivery(d) && ++legal >= ballsPerOver) overEnd[i] = false;
      });
      overEnd[overEnd.length - 1] = true;
    }
    return { legalBalls, complete, overEnd };
  });
}

/** Legal balls as the umpire counted them: a whole over for each complete one. */
export function countedBalls(overs: readonly UmpireOver[], ballsPerOver: number): number {
  return overs.reduce((n, o) => n + (o.complete ? ballsPerOver : o.legalBalls), 0);
}
