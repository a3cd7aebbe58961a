/**
 * Response shapes of the match list and the admin API that the operations page reads:
 * plain types with no imports, so the server and the page share them without sharing code.
 */

/** One innings as a score line shows it: `184/4 (20.0)`. */
export interface InningsLine {
  team: string;
  runs: number;
  wickets: number;
  /** Cricket notation: "19.4" is 19 overs and 4 balls. */
  overs: string;
}

/** One line of `GET /v1/matches`. */
export interface MatchSummary {
  matchId: string;
  seq: number;
  status: string;
  teams: string[];
  title: string | null;
  /** Every innings so far, in order (super overs included). */
  innings: InningsLine[];
  /** The result line once the match is over ("Rajasthan Royals won by 4 wickets"), else null. */
  result: string | null;
  /** The source's time of the last event applied (ISO-8601), never the receiver's clock. */
  lastEventTs: string | null;
  /** Viewers over every region from the edge's recent reports; 0 once the reports stop. */
  viewers: number;
}

/** One parked event, as `GET /v1/admin/matches/:id/dead-letters` lists it. */
export interface DeadLetter {
  seq: number;
  type: string;
  error: string;
  attempts: number;
  at: number;
  status: "dead" | "discarded";
}
