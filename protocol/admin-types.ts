/**
 * Response shapes of the match list and the admin API that the operations page reads:
 * plain types with no imports, so the server and the page share them without sharing code.
 */

/** One line of `GET /v1/matches`. */
export interface MatchSummary {
  matchId: string;
  seq: number;
  status: string;
  teams: string[];
  title: string | null;
  /** Viewers over every region, as the edge last reported them. */
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
