import { canonicalJson } from "../../protocol/canonical-json.ts";
import { apply, emptyState, type MatchState, type ProviderEvent } from "../../scoring/index.ts";
import type { LedgerStore } from "./ledger-store.ts";

/** What happened to one event the provider sent. */
export type IngestStatus = "accepted" | "duplicate" | "conflict" | "buffered" | "rejected";

export interface IngestOutcome {
  seq: number;
  status: IngestStatus;
  /** True for an event that arrived after the ledger had moved past its gap, and was put back in place. */
  late?: boolean;
  message?: string;
}

export interface SequencerConfig {
  /** Snapshot the state every N applied events. */
  snapshotEvery: number;
  /** How far ahead of the applied cursor an event may be before it is refused (bounds the buffer). */
  maxAhead: number;
}

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
      if (outcome.status === "buffered" && event.seq <= cursor) return { seq: event.seq, status: "accepted" };
      return outcome;
    });
  }

  /** Seqs stored above the cursor, waiting for a missing one. */
  bufferedCount(): number {
    return this.store.countAbove(this.cursor);
  }

  /**
   * The gap timeout fired: record the missing range before the first buffered event
   * and move on without it. A late arrival is put back in place by `ingest`.
   */
  skipGap(now: number): { fromSeq: number; toSeq: number } | null {
    const cursor = this.cursor;
    const next = this.store.nextStoredSeq(cursor);
    if (next === null || next === cursor + 1) return null;
    this.store.recordGap(cursor + 1, next - 1, now);
    this.store.setMeta("cursor", next - 1);
    this.advance(now);
    return { fromSeq: cursor + 1, toSeq: next - 1 };
  }

  /** Tries a dead letter again (after a fix); it stays dead if the engine still refuses it. */
  replayDeadLetter(seq: number, now: number): boolean {
    if (this.store.deadLetter(seq) === null) return false;
    this.store.removeDeadLetter(seq);
    this.recomputeFrom(seq, now);
    return this.store.deadLetter(seq) === null;
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
