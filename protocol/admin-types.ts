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
  /**
   * The innings in play's target and what it still needs (balls: null without an overs
   * limit); null when no target is set. Absent from summaries written before it existed.
   */
  chase?: { target: number; runsNeeded: number; ballsRemaining: number | null } | null;
}

/**
 * Why an event was parked: the engine refused it (it stays in the log, never applied); or it
 * waited beyond a hole larger than `LEDGER_MAX_SKIP` when the gap timeout fired; or an
 * operator discarded it from the buffer. The last two are kept outside the log, so their seq
 * stays free for the event that really carries it.
 */
export type DeadLetterReason = "engine error" | "too far ahead" | "discarded from the buffer";

/** One parked event, as `GET /v1/admin/matches/:id/dead-letters` lists it. */
export interface DeadLetter {
  seq: number;
  type: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  at: number;
  status: "dead" | "discarded";
}

/**
 * A skipped gap that is still missing seqs and that no operator has acknowledged, as the lag
 * report and /metrics show it. `missingSeqs` lists at most the first 100 of them.
 */
export interface Hole {
  fromSeq: number;
  toSeq: number;
  skippedAt: number;
  missing: number;
  missingSeqs: number[];
}

/**
 * The ledger's one-word health: the consumer's Burrow status when that is not OK; else
 * INCOMPLETE while the applied history lacks seqs nobody has dealt with (open holes or
 * dead letters neither replayed nor discarded); else OK.
 */
export type LedgerStatus = "OK" | "INCOMPLETE" | "WARNING" | "STALLED" | "STOPPED";
