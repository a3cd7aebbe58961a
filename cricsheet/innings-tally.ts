import type { CricsheetInnings } from "./cricsheet-schema.ts";
import { countedBalls, umpireOvers } from "./umpire-overs.ts";

/** Dismissals that are not wickets: the batter may come back, and the side is not a man down. */
export const NOT_A_WICKET: ReadonlySet<string> = new Set(["retired hurt", "retired not out"]);

/** The few innings figures the adapter needs to say why an innings ended. */
export interface InningsTally {
  /**
   * Runs from the deliveries plus penalty runs awarded before and after the innings: what the
   * opponents must beat, and, for a chase, what reaches the target (runs awarded after the
   * last ball count towards it like any other).
   */
  total: number;
  wickets: number;
  /** Wickets plus batters who retired (hurt or not out) and never batted again: when it reaches 10 the side is all out. */
  battersGone: number;
  /** Legal balls as the umpire counted the overs (a 5-ball over counts 6): what an overs limit limits. */
  countedBalls: number;
}

export function tallyInnings(innings: CricsheetInnings, ballsPerOver: number): InningsTally {
  let runs = innings.penalty_runs?.pre ?? 0;
  let wickets = 0;
  // A retired batter who comes back in later is at the crease again; one who does not is gone.
  const retired = new Set<string>();
  for (const over of innings.overs) {
    for (const d of over.deliveries) {
      retired.delete(d.batter);
      retired.delete(d.non_striker);
      runs += d.runs.total;
      for (const w of d.wickets ?? []) {
        if (NOT_A_WICKET.has(w.kind)) retired.add(w.player_out);
        else wickets += 1;
      }
    }
  }
  return {
    total: runs + (innings.penalty_runs?.post ?? 0),
    wickets,
    battersGone: wickets + retired.size,
    countedBalls: countedBalls(umpireOvers(innings, ballsPerOver), ballsPerOver),
  };
}
