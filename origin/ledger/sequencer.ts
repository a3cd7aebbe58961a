import { assertNever } from "../../protocol/assert-never.ts";
import { canonicalJson } from "../../protocol/canonical-json.ts";
import { apply, emptyState, type MatchState, type ProviderEvent } from "../../scoring/index.ts";
import { decideAtGapTimeout, type GapDecision, tooFarAheadMessage, withinReach } from "./gap-policy.ts";
import type { DeadLetter, DeadLetterReason, Gap, LedgerStore } from "./ledger-store.ts";

/** What happened to one event the provider sent. */
export type IngestStatus = "accepted" | "duplicate" | "conflict" | "buffered" | "rejected" | "dead-lettered";

export interface IngestOutcome {
  seq: number;
  status: IngestStatus;
  /** True for an event that arrived after the ledger had moved past its gap, and was put back in place. */
  late?: boolean;
  /** Why a `dead-lettered` event was parked. */
  reason?: DeadLetterReason;
  message?: string;
}

export interface SequencerConfig {
  /** Snapshot the state every N applied events. */
  snapshotEvery: number;
  /** How far ahead of the applied cursor an event may be before it is refused (bounds the buffer). */
  maxAhead: number;
  /** The most missing seqs one gap timeout moves past; events beyond a larger hole are parked. */
  maxSkip: number;
}

/** What the gap timeout did: the decision, and the seqs it parked (empty unless it parked). */
export type GapTimeoutResult = GapDecision & { parked: number[] };

/** What an operator's "discard this buffered event" found. */
export type DiscardBufferedResult =
  | { kind: "discarded"; deadLetter: DeadLetter }
  /** The seq is at or below the cursor: part of the history (a correction changes it). */
  | { kind: "applied"; cursor: number }
  /** The seq is already parked outside the log: the dead-letter routes deal with it. */
  | { kind: "parked"; deadLetter: DeadLetter }
  /** Nothing stored at that seq; `buffered` lists the first seqs that are. */
  | { kind: "absent"; cursor: number; buffered: number[] };

/** What an operator's "acknowledge this hole" found. */
export type AcknowledgeGapResult =
  | { kind: "acknowledged"; gap: Gap }
  /** No skipped gap starts at that seq; `gaps` lists where they do start. */
  | { kind: "absent"; gaps: number[] };

/** What replaying a dead letter did: applied in place, back in the buffer (its hole is still open), or still dead. */
export type ReplayResult = "applied" | "buffered" | "dead";

/**
 * The ordering core of a ledger: applies events strictly in seq order, buffers early
 * ones, moves past gaps on request, puts late events back in place, and parks events
 * the engine cannot apply. Deterministic given the store and the clock it is handed;
 * the Durable Object around it owns time (alarms) and transport.
 */
export class Sequencer {
  private state: MatchState | null = null;

  constructor(
    private readonly store: LedgerStore,
    private readonly matchId: string,
    private readonly config: SequencerConfig,
  ) {}

  /** The seq up to which every event has been applied, dead-lettered or skipped as a gap. */
  get cursor(): number {
    return this.store.getNumber("cursor");
  }

  /** The current state, rebuilt from the newest snapshot and the log tail after a restart. */
  current(): MatchState {
    if (this.state === null) this.state = this.stateAt(this.cursor);
    return this.state;
  }

  /** The state as of `seq`: the nearest snapshot at or before it, then the log up to it. */
  stateAt(seq: number): MatchState {
    const upTo = Math.min(seq, this.cursor);
    const snap = this.store.snapshotBefore(upTo, true);
    let state = snap?.state ?? emptyState(this.matchId);
    for (const event of this.store.eventsBetween(snap?.seq ?? 0, upTo)) {
      state = apply(state, event);
    }
    return state;
  }

  /**
   * Stores a batch and applies what it can, all inside the caller's transaction.
   * Events may come in any order; each gets its own outcome.
   */
  ingest(events: ProviderEvent[], now: number): IngestOutcome[] {
    const outcomes = new Map<ProviderEvent, IngestOutcome>();
    let lateFrom = Number.POSITIVE_INFINITY;
    const startCursor = this.cursor;
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      const body = canonicalJson(event);
      const parked = this.parkedAgain(event.seq, body, startCursor, now);
      if (parked) {
        outcomes.set(event, parked);
        continue;
      }
      const stored = this.store.eventBody(event.seq);
      if (stored !== null) {
        if (stored === body) {
          outcomes.set(event, { seq: event.seq, status: "duplicate" });
        } else {
          this.store.recordConflict(event.seq, body, now);
          outcomes.set(event, {
            seq: event.seq,
            status: "conflict",
            message: `seq ${event.seq} is already stored with different content; send a correction event instead`,
          });
        }
        continue;
      }
      if (event.seq > startCursor + this.config.maxAhead) {
        outcomes.set(event, {
          seq: event.seq,
          status: "rejected",
          message: `seq ${event.seq} is more than ${this.config.maxAhead} ahead of the ledger (applied through ${startCursor})`,
        });
        continue;
      }
      this.store.insertEvent(event, body, now);
      if (event.seq <= startCursor) {
        lateFrom = Math.min(lateFrom, event.seq);
        outcomes.set(event, { seq: event.seq, status: "accepted", late: true });
      } else {
        outcomes.set(event, { seq: event.seq, status: "buffered" });
      }
    }
    if (lateFrom !== Number.POSITIVE_INFINITY) this.recomputeFrom(lateFrom, now);
    this.advance(now);
    const cursor = this.cursor;
    return events.map((event) => {
      const outcome = outcomes.get(event) ?? { seq: event.seq, status: "rejected" as const };
      if ((outcome.status !== "buffered" && outcome.status !== "accepted") || event.seq > cursor)
        return outcome;
      // Stored this time and now inside the history: applied, unless the engine refused it.
      const dead = this.store.deadLetter(event.seq);
      if (dead?.status === "dead") {
        return {
          seq: event.seq,
          status: "dead-lettered",
          ...(outcome.late ? { late: true } : {}),
          reason: dead.reason,
          message: dead.error,
        };
      }
      return outcome.status === "buffered" ? { seq: event.seq, status: "accepted" } : outcome;
    });
  }

  /**
   * An event for a seq held by a dead letter kept outside the log (parked too far ahead, or
   * discarded from the buffer). The same content again is the same event: it stays parked
   * (answered `dead-lettered`) unless it is still open and now within reach of one gap timeout,
   * when it takes its place as though sent for the first time. Different content is the
   * provider's word on that seq: it takes the seq, and the parked body is kept as a conflict.
   * Returns the outcome when the event stays parked, null when it goes the ordinary way.
   */
  private parkedAgain(seq: number, body: string, cursor: number, now: number): IngestOutcome | null {
    const parkedBody = this.store.parkedBody(seq);
    const dead = parkedBody === null ? null : this.store.deadLetter(seq);
    if (parkedBody === null || dead === null) return null;
    if (parkedBody === body) {
      if (dead.status === "discarded" || !withinReach(seq, cursor, this.config.maxSkip)) {
        return { seq, status: "dead-lettered", reason: dead.reason, message: dead.error };
      }
    } else {
      this.store.recordConflict(seq, parkedBody, now);
    }
    this.store.removeDeadLetter(seq);
    return null;
  }

  /** Seqs stored above the cursor, waiting for a missing one. */
  bufferedCount(): number {
    return this.store.countAbove(this.cursor);
  }

  /**
   * The gap timeout fired. A hole of at most `maxSkip` seqs before the first buffered event is
   * recorded and moved past (a late arrival is put back in place by `ingest`); a larger one is
   * not: every buffered event, all beyond it, is parked outside the log as `too far ahead`, and
   * the cursor stays where the contiguous events put it. Later holes get their own timeout.
   */
  onGapTimeout(now: number): GapTimeoutResult {
    const cursor = this.cursor;
    const decision = decideAtGapTimeout(cursor, this.store.nextStoredSeq(cursor), this.config.maxSkip);
    switch (decision.kind) {
      case "none":
        return { ...decision, parked: [] };
      case "skip":
        this.store.recordGap(decision.fromSeq, decision.toSeq, now);
        this.store.setMeta("cursor", decision.toSeq);
        this.advance(now);
        return { ...decision, parked: [] };
      case "park": {
        const parked = this.store.seqsAbove(cursor);
        for (const seq of parked) {
          this.store.parkOutsideLog(
            seq,
            "too far ahead",
            tooFarAheadMessage(seq, decision, this.config.maxSkip),
            now,
          );
        }
        return { ...decision, parked };
      }
      default:
        return assertNever(decision);
    }
  }

  /**
   * Tries a dead letter again. An engine dead letter is re-applied in its place (after a fix)
   * and stays dead if the engine still refuses it; one kept outside the log goes back into it,
   * applied if the seqs before it are there, otherwise buffered (and its hole timed again).
   * Null when `seq` has no dead letter.
   */
  replayDeadLetter(seq: number, now: number): ReplayResult | null {
    if (this.store.deadLetter(seq) === null) return null;
    if (this.store.unpark(seq, now)) {
      if (seq <= this.cursor) this.recomputeFrom(seq, now);
      this.advance(now);
    } else {
      this.store.removeDeadLetter(seq);
      this.recomputeFrom(seq, now);
    }
    if (this.store.deadLetter(seq) !== null) return "dead";
    return seq <= this.cursor ? "applied" : "buffered";
  }

  /** An operator takes a buffered event out: kept as a discarded dead letter, its seq free again. */
  discardBuffered(seq: number, now: number): DiscardBufferedResult {
    const cursor = this.cursor;
    const dead = this.store.deadLetter(seq);
    if (dead !== null && this.store.parkedBody(seq) !== null) return { kind: "parked", deadLetter: dead };
    if (this.store.eventBody(seq) === null)
      return { kind: "absent", cursor, buffered: this.store.seqsAbove(cursor, 20) };
    if (seq <= cursor) return { kind: "applied", cursor };
    this.store.parkOutsideLog(
      seq,
      "discarded from the buffer",
      "discarded by an operator while buffered",
      now,
    );
    this.store.discardDeadLetter(seq);
    const deadLetter = this.store.deadLetter(seq);
    if (deadLetter === null) throw new Error(`discarding buffered seq ${seq} left no dead letter`);
    return { kind: "discarded", deadLetter };
  }

  /** An operator's word on a skipped gap: it stops counting as an open hole (late arrivals still fill it). */
  acknowledgeGap(fromSeq: number, now: number): AcknowledgeGapResult {
    const gap = this.store.acknowledgeGap(fromSeq, now);
    return gap
      ? { kind: "acknowledged", gap }
      : { kind: "absent", gaps: this.store.gaps().map((g) => g.fromSeq) };
  }

  /** Applies every contiguous stored event after the cursor. */
  private advance(now: number): void {
    let cursor = this.cursor;
    let state = this.current();
    for (;;) {
      const [event] = this.store.eventsBetween(cursor, cursor + 1, { skip: "none" });
      if (!event) break;
      state = this.applyOrPark(state, event, now);
      cursor = event.seq;
      this.maybeSnapshot(state, cursor);
    }
    this.state = state;
    this.store.setMeta("cursor", cursor);
  }

  /**
   * Event sourcing makes late events correctable: rebuild from the snapshot before `seq`.
   * Parked events after it get another chance, since what they lacked may just have arrived
   * (a delivery refused for want of its innings.start); discarded ones stay out.
   */
  private recomputeFrom(seq: number, now: number): void {
    const cursor = this.cursor;
    const snap = this.store.snapshotBefore(seq);
    this.store.deleteSnapshotsFrom(seq);
    let state = snap?.state ?? emptyState(this.matchId);
    for (const event of this.store.eventsBetween(snap?.seq ?? 0, cursor, { skip: "discarded" })) {
      const next = this.applyOrPark(state, event, now);
      if (next !== state && this.store.deadLetter(event.seq) !== null) this.store.removeDeadLetter(event.seq);
      state = next;
      this.maybeSnapshot(state, event.seq);
    }
    this.state = state;
  }

  /**
   * Head-of-line blocking cure: retry once, then park the event and let the match move on.
   * Returns the very same state object when the event was parked (apply always returns a new one).
   */
  private applyOrPark(state: MatchState, event: ProviderEvent, now: number): MatchState {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        return apply(state, event);
      } catch (error) {
        lastError = error;
      }
    }
    this.store.putDeadLetter(event.seq, errorMessage(lastError), 2, now);
    return state;
  }

  private maybeSnapshot(state: MatchState, seq: number): void {
    if (seq - this.store.lastSnapshotSeq(seq) >= this.config.snapshotEvery)
      this.store.putSnapshot(seq, state);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
