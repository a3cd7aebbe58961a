import { DurableObject } from "cloudflare:workers";
import { evaluateLag, type LagSample, LagWindow } from "../origin/lag.ts";
import { type LedgerConfig, readLedgerConfig } from "../origin/ledger/ledger-config.ts";
import { type DeadLetter, type Gap, LedgerStore } from "../origin/ledger/ledger-store.ts";
import { type IngestOutcome, Sequencer } from "../origin/ledger/sequencer.ts";
import type { MatchState, ProviderEvent } from "../origin/scoring/index.ts";
import type { MatchSummary } from "./match-index.ts";

export interface MatchSnapshot {
  matchId: string;
  epoch: string;
  seq: number;
  state: MatchState;
}

export interface LedgerLag {
  matchId: string;
  receivedSeq: number;
  appliedSeq: number;
  buffered: number;
  gaps: Gap[];
  deadLetters: number;
  conflicts: number;
  consumer: ReturnType<typeof evaluateLag> & { samples: LagSample[] };
}

/**
 * The single writer for one match (the match id is the partition key). A thin shell:
 * storage and ordering live in `origin/ledger/`, cricket in `origin/scoring/`; this
 * class owns the platform parts: the transaction, the gap-timeout alarm, the clock.
 */
export class MatchLedger extends DurableObject<Env> {
  private readonly store: LedgerStore;
  private readonly config: LedgerConfig;
  private sequencer: Sequencer | null = null;
  private readonly lag: LagWindow;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    this.config = readLedgerConfig(env as unknown as Record<string, unknown>);
    this.lag = restoreLagWindow(this.store.getMeta("lag"));
  }

  /** Stores and applies a batch for this match; resolves only once it is durable. */
  async ingest(matchId: string, events: ProviderEvent[]): Promise<IngestOutcome[]> {
    const now = Date.now();
    const outcomes = this.ctx.storage.transactionSync(() => this.sequencerFor(matchId).ingest(events, now));
    await this.afterWrite(now);
    return outcomes;
  }

  /** The current state, or as of `at` (time travel from the nearest snapshot). Null for an unknown match. */
  async snapshot(at?: number): Promise<MatchSnapshot | null> {
    const sequencer = this.existing();
    if (!sequencer) return null;
    // The version is the cursor, not state.seq: a dead-lettered or skipped seq still moves the match on.
    const seq = at === undefined ? sequencer.cursor : Math.max(0, Math.min(at, sequencer.cursor));
    const state = at === undefined ? sequencer.current() : sequencer.stateAt(seq);
    return { matchId: state.matchId, epoch: this.epoch(), seq, state };
  }

  /** A page of the event log: events with seq > after, at most `limit`. */
  async events(after: number, limit: number): Promise<{ events: ProviderEvent[]; next: number | null }> {
    if (!this.existing()) return { events: [], next: null };
    const events = this.store.eventsBetween(after, Number.MAX_SAFE_INTEGER, {
      skip: "none",
      limit: limit + 1,
    });
    const page = events.slice(0, limit);
    return { events: page, next: events.length > limit ? (page.at(-1)?.seq ?? null) : null };
  }

  async lagReport(): Promise<LedgerLag | null> {
    const sequencer = this.existing();
    if (!sequencer) return null;
    const samples = this.lag.samples();
    const deadLetters = this.store.deadLetters().filter((d) => d.status === "dead").length;
    return {
      matchId: this.matchId() ?? "",
      receivedSeq: this.store.maxSeq(),
      appliedSeq: sequencer.cursor,
      buffered: sequencer.bufferedCount(),
      gaps: this.store.gaps(),
      deadLetters,
      conflicts: this.store.conflictCount(),
      consumer: { ...evaluateLag(samples, Date.now()), samples },
    };
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.existing() ? this.store.deadLetters() : [];
  }

  /** Re-applies a parked event in its place (after a fix). */
  async replayDeadLetter(
    seq: number,
  ): Promise<{ found: boolean; applied: boolean; deadLetter: DeadLetter | null }> {
    const sequencer = this.existing();
    if (!sequencer || this.store.deadLetter(seq) === null)
      return { found: false, applied: false, deadLetter: null };
    const now = Date.now();
    const applied = this.ctx.storage.transactionSync(() => sequencer.replayDeadLetter(seq, now));
    await this.afterWrite(now);
    return { found: true, applied, deadLetter: this.store.deadLetter(seq) };
  }

  async discardDeadLetter(seq: number): Promise<{ found: boolean }> {
    if (!this.existing() || this.store.deadLetter(seq) === null) return { found: false };
    this.store.discardDeadLetter(seq);
    return { found: true };
  }

  /** The gap timeout: move past a missing seq that did not arrive in time. */
  override async alarm(): Promise<void> {
    const sequencer = this.existing();
    if (!sequencer) return;
    const now = Date.now();
    const waiting = this.gapWait();
    if (waiting && waiting.cursor === sequencer.cursor && now - waiting.since >= this.config.gapTimeoutMs) {
      this.ctx.storage.transactionSync(() => sequencer.skipGap(now));
    }
    await this.afterWrite(now);
  }

  // ---------------------------------------------------------------------------

  private sequencerFor(matchId: string): Sequencer {
    const known = this.matchId();
    if (known === null) {
      this.store.setMeta("matchId", matchId);
      this.store.setMeta("epoch", crypto.randomUUID().slice(0, 8));
    } else if (known !== matchId) {
      throw new Error(`ledger for ${known} was sent events of ${matchId}`);
    }
    this.sequencer ??= new Sequencer(this.store, matchId, this.config);
    return this.sequencer;
  }

  private existing(): Sequencer | null {
    const matchId = this.matchId();
    return matchId === null ? null : this.sequencerFor(matchId);
  }

  private matchId(): string | null {
    return this.store.getMeta("matchId");
  }

  private epoch(): string {
    return this.store.getMeta("epoch") ?? "0";
  }

  private gapWait(): { cursor: number; since: number } | null {
    const raw = this.store.getMeta("gapWaitSince");
    if (!raw) return null;
    const [cursor, since] = raw.split(":").map(Number);
    return cursor === undefined || since === undefined ? null : { cursor, since };
  }

  /** Bookkeeping after every write: lag sample, gap-timeout alarm, the match directory. */
  private async afterWrite(now: number): Promise<void> {
    const sequencer = this.existing();
    if (!sequencer) return;
    const cursor = sequencer.cursor;
    this.lag.record({ at: now, produced: this.store.maxSeq(), consumed: cursor });
    this.store.setMeta("lag", JSON.stringify(this.lag));
    if (sequencer.bufferedCount() > 0) {
      const waiting = this.gapWait();
      if (!waiting || waiting.cursor !== cursor) {
        this.store.setMeta("gapWaitSince", `${cursor}:${now}`);
        await this.ctx.storage.setAlarm(now + this.config.gapTimeoutMs);
      } else if ((await this.ctx.storage.getAlarm()) === null) {
        await this.ctx.storage.setAlarm(waiting.since + this.config.gapTimeoutMs);
      }
    }
    this.reportToIndex(sequencer.current());
  }

  /** The match list is a convenience read; a slow index never holds up ingestion. */
  private reportToIndex(state: MatchState): void {
    const summary: MatchSummary = {
      matchId: state.matchId,
      seq: this.existing()?.cursor ?? state.seq,
      status: state.status,
      teams: state.match?.teams ?? [],
      title: state.match?.title ?? null,
    };
    const index = this.env.MATCH_INDEX.get(this.env.MATCH_INDEX.idFromName("all"));
    this.ctx.waitUntil(index.upsert(summary).catch(() => undefined));
  }
}

/** The lag window survives eviction in storage; an unreadable one starts afresh rather than failing the ledger. */
function restoreLagWindow(raw: string | null): LagWindow {
  if (raw === null) return new LagWindow();
  try {
    const parsed = LagWindow.parse(JSON.parse(raw));
    return parsed.ok ? parsed.window : new LagWindow();
  } catch {
    return new LagWindow();
  }
}
