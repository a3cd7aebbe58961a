/** Who faces the next ball: runs run, departures, and the change of ends at the end of an over. */
import { type BallRecord, runsRun } from "./ball.ts";

export interface Ends {
  striker: string | null;
  nonStriker: string | null;
}

/**
 * The expected ends for the next ball. An odd number of runs run means the batters crossed; a
 * dismissed batter's end is left empty (null) for the incoming batter, who takes strike after a
 * catch (Law 18.11, 2022); then the ends swap if the over is complete. The next delivery names
 * both batters, so any guess here is corrected by the data.
 */
export function nextEnds(ball: BallRecord, overComplete: boolean): Ends {
  let striker: string | null = ball.batter;
  let nonStriker: string | null = ball.nonStriker;
  if (runsRun(ball) % 2 === 1) [striker, nonStriker] = [nonStriker, striker];
  for (const w of ball.wickets) {
    if (w.playerOut === striker) striker = null;
    else if (w.playerOut === nonStriker) nonStriker = null;
    if (w.kind === "caught" || w.kind === "caught and bowled") {
      const survivor: string | null = striker ?? nonStriker;
      striker = null;
      nonStriker = survivor;
    }
  }
  if (overComplete) [striker, nonStriker] = [nonStriker, striker];
  return { striker, nonStriker };
}
