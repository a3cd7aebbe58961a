import { assertNever } from "../../protocol/assert-never.ts";
import { canonicalJson } from "../../protocol/canonical-json.ts";
import { apply, emptyState, type MatchState, type ProviderEvent } from "../../scoring/index.ts";
import { beyondBufferMessage, decideAtGapTimeout, type GapDecision } from "./gap-policy.ts";
import {
  type DeadLetter,
  type DeadLetterReason,
  type Gap,
  type LedgerStore,
  readEvent,
} from "./ledger-store.ts";

/**
 * What happened to one event the provider sent, which is also what the provider must do next:
 * nothing (`accepted`, `duplicate`, `buffered`: stored, applied once the seqs before it arrive),
 * send it again later (`retry`: nothing was stored), look at it (`conflict`: the seq holds other
 * content; `dead-lettered`: kept for an operator). A malformed event never reaches the ledger:
 * the route answers it `invalid`.
 */
export type IngestStatus = "accepted" | "duplicate" | "conflict" | "buffered" | "retry" | "dead-lettered";

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
  /** How far ahead of the applied cursor an event may be before it is answered `retry` (bounds the buffer). */
  maxAhead: number;
  /** The most missing seqs one gap timeout moves past; at a larger hole the ledger keeps waiting. */
  maxSkip: number;
}

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

/** What an operator's "keep this side of a conflict" found. */
export type ResolveConflictResult =
  | { kind: "resolved"; seq: number; kept: "stored" | "incoming"; cursor: number }
  /** No open conflict at that seq; `open` lists the seqs that have one. */
  | { kind: "absent"; open: number[] };

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
    // Read once per batch, not once per event: usually empty.
    const conflicted = new Set(this.store.openConflicts().map((c) => c.seq));
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      const body = canonicalJson(event);
      const parked = this.parkedAgain(event.seq, body);
      if (parked) {
        outcomes.set(event, parked);
        continue;
      }
      const stored = this.store.eventBody(event.seq);
      if (stored !== null) {
        outcomes.set(
          event,
          stored === body
            ? { seq: event.seq, status: "duplicate" }
            : this.conflict(event.seq, body, startCursor, now),
        );
        continue;
      }
      if (event.seq > startCursor + this.config.maxAhead) {
        outcomes.set(event, {
          seq: event.seq,
          status: "retry",
          message: beyondBufferMessage(event.seq, startCursor, this.config.maxAhead),
        });
        continue;
      }
      this.store.insertEvent(event, body, now);
      // A seq whose stored side an operator discarded while it was in conflict: this is the provider's word on it.
      if (conflicted.has(event.seq)) this.store.resolveConflicts(event.seq, "incoming", now);
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
      const outcome = outcomes.get(event) ?? { seq: event.seq, status: "retry" as const };
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
   * A different body for a seq the log already holds. Above the cursor (buffered, not applied)
   * neither body is applied blindly: the match holds at the seq before it until an operator keeps
   * one. At or below the cursor the stored event is history: the provider is told to send a
   * correction, and the conflict stays open (the lag says CONFLICT) until an operator resolves it.
   */
  private conflict(seq: number, body: string, cursor: number, now: number): IngestOutcome {
    this.store.recordConflict(seq, body, now);
    const resolve = `POST /v1/admin/matches/${this.matchId}/conflicts/${seq}/resolve`;
    return {
      seq,
      status: "conflict",
      message:
        seq > cursor
          ? `seq ${seq} is already buffered with different content: neither is applied, and the match holds ` +
            `before seq ${seq} until an operator keeps one (${resolve}); to change a ball already applied, send a correction event`
          : `seq ${seq} is already stored with different content; send a correction event instead ` +
            `(kept for an operator: ${resolve})`,
    };
  }

  /**
   * An event for a seq held by a dead letter kept outside the log (discarded from the buffer by an
   * operator). The same content again is the same event: it stays out, answered `dead-lettered`.
   * Different content is the provider's word on that seq: it takes the seq as though sent for the
   * first time. Returns the outcome when the event stays out, null when it goes the ordinary way.
   */
  private parkedAgain(seq: number, body: string): IngestOutcome | null {
    const parkedBody = this.store.parkedBody(seq);
    const dead = parkedBody === null ? null : this.store.deadLetter(seq);
    if (parkedBody === null || dead === null) return null;
    if (parkedBody === body)
      return { seq, status: "dead-lettered", reason: dead.reason, message: dead.error };
    this.store.removeDeadLetter(seq);
    return null;
  }

  /** Seqs stored above the cursor, waiting for a missing one. */
  bufferedCount(): number {
    return this.store.countAbove(this.cursor);
  }

  /**
   * The gap timeout fired. A hole of at most `maxSkip` seqs before the first buffered event is
   * recorded and moved past (a late arrival is put back in place by `ingest`); at a larger one the
   * ledger keeps waiting, and everything buffered behind it is applied, in order, once it is
   * filled. Never past a seq held by an open conflict. Later holes get their own timeout.
   */
  onGapTimeout(now: number): GapDecision {
    const cursor = this.cursor;
    let decision = decideAtGapTimeout(cursor, this.store.nextStoredSeq(cursor), this.config.maxSkip);
    const held = this.store.firstConflictAbove(cursor);
    if (decision.kind === "skip" && held !== null && held <= decision.toSeq) {
      decision = held - 1 >= decision.fromSeq ? { ...decision, toSeq: held - 1 } : { kind: "none" };
    }
    switch (decision.kind) {
      case "none":
      case "wait":
        return decision;
      case "skip":
        this.store.recordGap(decision.fromSeq, decision.toSeq, now);
        this.store.setMeta("cursor", decision.toSeq);
        this.advance(now);
        return decision;
      default:
        return assertNever(decision);
    }
  }

  /**
   * The operator's word on a conflict at `seq`: keep the stored body, or the incoming one (the
   * newest that arrived). Keeping the incoming body of an applied seq rewrites history from there,
   * as a late event does. Either way the hold lifts and the match goes on.
   */
  resolveConflict(seq: number, keep: "stored" | "incoming", now: number): ResolveConflictResult {
    const open = this.store.openConflicts();
    const incoming = open.filter((c) => c.seq === seq).at(-1);
    if (!incoming) return { kind: "absent", open: [...new Set(open.map((c) => c.seq))] };
    if (keep === "incoming") {
      this.store.replaceEvent(readEvent(incoming.body, seq), incoming.body, now);
      if (this.store.deadLetter(seq)?.reason === "engine error") this.store.removeDeadLetter(seq);
    }
    this.store.resolveConflicts(seq, keep, now);
    if (keep === "incoming" && seq <= this.cursor) this.recomputeFrom(seq, now);
    this.advance(now);
    return { kind: "resolved", seq, kept: keep, cursor: this.cursor };
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
    // A seq in conflict is applied only once an operator has kept one side.
    const held = this.store.firstConflictAbove(cursor) ?? Number.POSITIVE_INFINITY;
    while (cursor + 1 < held) {
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
