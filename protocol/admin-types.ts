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
 * Why an event was parked: the engine refused it (it stays in the log, never applied); or an
 * operator discarded it from the buffer (kept outside the log, so its seq stays free for the
 * event that really carries it). `too far ahead` is only read from ledgers written by older
 * builds, which parked events waiting beyond a large hole; a ledger now waits instead, and
 * puts any such event still open back in its buffer.
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
 * Two bodies for one seq, as the lag report lists them until an operator keeps one
 * (`POST /v1/admin/matches/:id/conflicts/:seq/resolve`). `held` is true while the seq is above
 * the applied cursor: the match applies nothing from that seq on until it is resolved.
 */
export interface Conflict {
  seq: number;
  held: boolean;
  /** The event the log holds at that seq (null when an operator discarded it from the buffer). */
  stored: unknown;
  /** The newest different event that arrived for the seq. */
  incoming: unknown;
  receivedAt: number;
}

/**
 * The hole the ledger is waiting at: seqs `fromSeq..toSeq` have not arrived while `buffered`
 * events wait behind them, since `since` (ms). Too large for a gap timeout to move past
 * (`LEDGER_MAX_SKIP`), so it is applied, in order, the moment it is filled.
 */
export interface WaitingHole {
  fromSeq: number;
  toSeq: number;
  missing: number;
  buffered: number;
  since: number;
}

/**
 * The ledger's one-word health: CONFLICT while two bodies for one seq await an operator (the
 * most urgent: the score may be wrong, or held); else the consumer's Burrow status when that is
 * not OK; else INCOMPLETE while the history lacks seqs nobody has dealt with (open holes, a hole
 * being waited at, dead letters neither replayed nor discarded); else OK.
 */
export type LedgerStatus = "OK" | "CONFLICT" | "INCOMPLETE" | "WARNING" | "STALLED" | "STOPPED";
