import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { presenceFreshMs } from "../edge/presence.ts";
import { fastReadFor } from "../fast-read/fast-read-config.ts";
import { CompletionQueue } from "../origin/ledger/completion-queue.ts";
import { gapTimeoutDue, readGapWait, writeGapWait } from "../origin/ledger/gap-wait.ts";
import { takeInjectedFault } from "../origin/ledger/injected-fault.ts";
import { lagReport } from "../origin/ledger/lag-report.ts";
import type { LedgerConfig } from "../origin/ledger/ledger-config.ts";
import { LedgerEdge } from "../origin/ledger/ledger-edge.ts";
import { LedgerMatch } from "../origin/ledger/ledger-match.ts";
import { type DeadLetter, LedgerStore } from "../origin/ledger/ledger-store.ts";
import { LedgerWriter } from "../origin/ledger/ledger-writer.ts";
import { summarise } from "../origin/ledger/match-summary.ts";
import { MomentOutbox } from "../origin/ledger/moment-outbox.ts";
import { MomentStore } from "../origin/ledger/moment-store.ts";
import { newEpoch, Publisher } from "../origin/ledger/publisher.ts";
import type {
  AcknowledgeGapResult,
  DiscardBufferedResult,
  IngestOutcome,
  ResolveConflictResult,
  Sequencer,
} from "../origin/ledger/sequencer.ts";
import { announceMoments } from "../origin/webhooks/announce.ts";
import type { ResumeAnswer } from "../protocol/publication.ts";
import type { Upstream } from "../rpc/fanout.ts";
import type { LedgerLag, LedgerRpc, MatchSnapshot, ReplayAnswer } from "../rpc/ledger.ts";
import { matchIndexStub } from "../rpc/match-index.ts";
import { type RoomRpc, roomStub } from "../rpc/room.ts";
import { ENGINE_VERSION, emptyState, type Moment, type ProviderEvent } from "../scoring/index.ts";
import { TreeRoot } from "../storage/tree-root.ts";

/** Parts of the ledger rebuilt afresh after `remove` (the store and the completion queue live on). */
interface LedgerParts {
  moments: MomentStore;
  outbox: MomentOutbox;
  edge: LedgerEdge;
  writer: LedgerWriter;
}

/**
 * The single writer for one match (the match id is the partition key). A thin shell:
 * storage and ordering live in `origin/ledger/` (the write path in ledger-writer.ts, the edge in
 * ledger-edge.ts), cricket in `scoring/`; this class owns the platform parts: the RPC methods,
 * the transaction, the alarm, the clock.
 */
export class MatchLedger extends DurableObject<Env> implements LedgerRpc {
  private readonly store: LedgerStore;
  private readonly config: LedgerConfig;
  private readonly viewersFreshMs: number;
  /** Which match this ledger holds, and its sequencer. */
  private readonly match: LedgerMatch;
  /** Publications being completed after their commit, in order (see `LedgerWriter.write`). */
  private readonly completing = new CompletionQueue();
  private parts: LedgerParts;
  /** The alarm as last set (it serves both the gap timeout and the outbox), or null. */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    this.config = config.ledger;
    this.viewersFreshMs = presenceFreshMs(config.room.presenceIntervalMs);
    this.store = new LedgerStore(ctx.storage.sql);
    this.store.adoptEngine(ENGINE_VERSION, newEpoch);
    this.match = new LedgerMatch(this.store, this.config);
    this.parts = this.assemble();
    const released = this.store.releaseParkedAhead(Date.now());
    if (released > 0) console.warn("released events an older build parked too far ahead", released);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
      // Moments committed before a crash, never handed to the queue: sent as soon as possible.
      if (this.parts.moments.hasUnannounced() || released > 0) this.armAlarm(Date.now());
    });
  }

  /** Stores and applies a batch for this match; resolves only once it is durable. */
  async ingest(matchId: string, events: ProviderEvent[]): Promise<IngestOutcome[]> {
    // Readers ask the index whether a match exists, so a match is listed before its first event
    // is stored: a crash between the two leaves a listed match with no events (readable, empty,
    // filled by the provider's retry), never stored events that readers are told do not exist.
    // A failure here fails the batch (503), and the provider retries it.
    if (this.match.id() === null) await matchIndexStub(this.env).upsert(summarise(emptyState(matchId), 0, 0));
    const now = Date.now();
    return this.commit(matchId, now, (sequencer) => sequencer.ingest(events, now));
  }

  // --- the edge: registration, resume, reports -----------------------------------------

  /** A region's hub room has its first viewer (or child shard): publish to it from now on. */
  async registerRegion(matchId: string, region: string): Promise<void> {
    // Only a signed provider event brings a match into existence, never a viewer's room.
    if (!this.match.existing() || this.match.id() !== matchId) return;
    this.parts.edge.register(region, Date.now());
  }

  /**
   * Operations: forget every edge region's registration. Versions published until the regions
   * register again (their next presence report) reach no room: the rooms find the hole and
   * pull it. Useful after moving rooms, and to prove the pull path (`npm run chaos`).
   */
  async forgetEdge(): Promise<{ forgotten: number }> {
    return { forgotten: this.match.existing() ? this.parts.edge.forgetAll() : 0 };
  }

  /**
   * Removes the match entirely (the admin's "remove a match"): every row of its log, snapshots,
   * dead letters and edge registrations, and its alarm. Answers the regions whose rooms still
   * hold viewers, so the caller can close them. Afterwards this ledger is as if never created.
   */
  async remove(): Promise<{ removed: boolean; regions: string[] }> {
    if (!this.match.existing()) return { removed: false, regions: [] };
    const regions = this.parts.edge.regions().map((r) => r.region);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.alarmAt = null;
    // The tables again, empty, on the same handle: a later signed event starts the match afresh.
    new LedgerStore(this.ctx.storage.sql);
    this.parts = this.assemble();
    this.match.forget();
    return { removed: true, regions };
  }

  /** A region's hub has no viewers left: its count leaves the match's total at once. */
  async unregisterRegion(matchId: string, region: string): Promise<void> {
    const sequencer = this.match.existing();
    if (!sequencer || this.match.id() !== matchId) return;
    this.parts.edge.unregister(region);
    void this.parts.writer.reportToIndex(sequencer);
  }

  /**
   * A hub's periodic report: its region's viewers and the newest seq it holds. Answers with
   * the match's viewers over every region, which flows back down the tree to the sockets.
   */
  async reportRegion(
    matchId: string,
    region: string,
    viewers: number,
    confirmedSeq: number,
  ): Promise<Upstream> {
    const sequencer = this.match.existing();
    if (!sequencer || this.match.id() !== matchId) return { viewers, seq: 0, epoch: null };
    const { edge, writer } = this.parts;
    edge.report(region, viewers, confirmedSeq, Date.now());
    void writer.reportToIndex(sequencer);
    return { viewers: edge.viewers(Date.now()), seq: sequencer.cursor, epoch: this.match.epoch() };
  }

  /**
   * What a room asks for when it finds a hole in its versions or a viewer resumes from further
   * back than its ring: the published patches since `since`, or the snapshot when the chain
   * cannot be replayed. Identical concurrent asks from many rooms share one answer.
   */
  async resume(matchId: string, epoch: string, since: number): Promise<ResumeAnswer | null> {
    const sequencer = this.match.existing();
    if (!sequencer || this.match.id() !== matchId) return null;
    return this.parts.edge.resume(sequencer, epoch, since);
  }

  /** The current state, or as of `at` (time travel from the nearest snapshot). Null for an unknown match. */
  async snapshot(at?: number): Promise<MatchSnapshot | null> {
    const sequencer = this.match.existing();
    if (!sequencer) return null;
    // The version is the cursor, not state.seq: a dead-lettered or skipped seq still moves the match on.
    const seq = at === undefined ? sequencer.cursor : Math.max(0, Math.min(at, sequencer.cursor));
    const state = at === undefined ? sequencer.current() : sequencer.stateAt(seq);
    return { matchId: state.matchId, epoch: this.match.epoch(), seq, state };
  }

  /** A page of the event log: events with seq > after, at most `limit`. */
  async events(after: number, limit: number): Promise<{ events: ProviderEvent[]; next: number | null }> {
    if (!this.match.existing()) return { events: [], next: null };
    const events = this.store.eventsBetween(after, Number.MAX_SAFE_INTEGER, {
      skip: "none",
      limit: limit + 1,
    });
    const page = events.slice(0, limit);
    return { events: page, next: events.length > limit ? (page.at(-1)?.seq ?? null) : null };
  }

  /** A page of the announced moments: seq > after, in order (see `MomentStore.after`). Null for an unknown match. */
  async momentsAfter(after: number, limit: number): Promise<Moment[] | null> {
    return this.match.existing() ? this.parts.moments.after(after, limit) : null;
  }

  async lagReport(): Promise<LedgerLag | null> {
    const sequencer = this.match.existing();
    if (!sequencer) return null;
    const at = {
      matchId: this.match.id() ?? "",
      cursor: sequencer.cursor,
      buffered: sequencer.bufferedCount(),
      wait: readGapWait(this.store.getMeta("gapWaitSince")),
      now: Date.now(),
    };
    return lagReport(this.store, at, this.parts.writer.lagSamples(), this.parts.edge.regions());
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.match.existing() ? this.store.deadLetters() : [];
  }

  /** Re-applies a parked event in its place (after a fix), or puts one parked outside the log back in it. */
  async replayDeadLetter(seq: number): Promise<ReplayAnswer> {
    const sequencer = this.match.existing();
    if (!sequencer || this.store.deadLetter(seq) === null)
      return { found: false, applied: false, result: null, deadLetter: null };
    const now = Date.now();
    const result = await this.commit(this.match.id() ?? "", now, (s) => s.replayDeadLetter(seq, now));
    return { found: true, applied: result === "applied", result, deadLetter: this.store.deadLetter(seq) };
  }

  async discardDeadLetter(seq: number): Promise<{ found: boolean }> {
    if (!this.match.existing() || this.store.deadLetter(seq) === null) return { found: false };
    this.store.discardDeadLetter(seq);
    return { found: true };
  }

  async discardBuffered(seq: number): Promise<DiscardBufferedResult | null> {
    if (!this.match.existing()) return null;
    const now = Date.now();
    return this.commit(this.match.id() ?? "", now, (s) => s.discardBuffered(seq, now));
  }

  async acknowledgeGap(fromSeq: number): Promise<AcknowledgeGapResult | null> {
    return this.match.existing()?.acknowledgeGap(fromSeq, Date.now()) ?? null;
  }

  async resolveConflict(seq: number, keep: "stored" | "incoming"): Promise<ResolveConflictResult | null> {
    if (!this.match.existing()) return null;
    const now = Date.now();
    return this.commit(this.match.id() ?? "", now, (s) => s.resolveConflict(seq, keep, now));
  }

  /**
   * One alarm, two duties. The gap timeout: move past a small hole that was not filled in time
   * (at a large one, keep waiting: decided once per cursor). The outbox: send what a crash or a
   * queue error left unsent.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const sequencer = this.match.existing();
    if (!sequencer) return;
    const now = Date.now();
    const wait = readGapWait(this.store.getMeta("gapWaitSince"));
    if (wait && gapTimeoutDue(wait, sequencer.cursor, now, this.config.gapTimeoutMs)) {
      const done = this.parts.writer.write(sequencer, this.match.id() ?? "", (s) => s.onGapTimeout(now));
      // Waiting (or held by a conflict): nothing to time again until the cursor moves.
      if (done.kind !== "skip") this.store.setMeta("gapWaitSince", writeGapWait({ ...wait, decided: true }));
    }
    await this.parts.writer.afterWrite(sequencer, now);
    await this.flushOutbox();
  }

  // ---------------------------------------------------------------------------

  /** One write through the write path (see `LedgerWriter.write`), then its bookkeeping. */
  private commit<T>(matchId: string, now: number, change: (sequencer: Sequencer) => T): Promise<T> {
    return this.parts.writer.commit(this.match.sequencerFor(matchId), matchId, now, change);
  }

  /** The composed parts over this object's storage, built on wake-up and afresh after `remove`. */
  private assemble(): LedgerParts {
    const sql = this.ctx.storage.sql;
    const moments = new MomentStore(sql);
    const publisher = new Publisher(this.store);
    // The tree's root: the `edge_regions` table, hubs are the match's rooms at shard 0.
    const root = new TreeRoot<RoomRpc>(sql, "edge_regions", (region) =>
      roomStub(this.env, this.match.id() ?? "", region, 0),
    );
    const edge = new LedgerEdge(root, publisher, this.completing, this.viewersFreshMs);
    // A queue error leaves the rest for the alarm 5–10 s later (jittered: ledgers that failed together retry apart).
    const outbox = new MomentOutbox(
      moments,
      (batch) => announceMoments(this.env, batch),
      (error, pending) => {
        console.error("moments queue refused; kept in the outbox", this.match.id(), pending, String(error));
        this.armAlarm(Date.now() + OUTBOX_RETRY_MS * (1 + Math.random()));
      },
    );
    const parts = {
      store: this.store,
      moments,
      publisher,
      completing: this.completing,
      edge,
      config: this.config,
    };
    const writer = new LedgerWriter(parts, {
      transaction: (body) => this.ctx.storage.transactionSync(body),
      waitUntil: (work) => this.ctx.waitUntil(work),
      armAlarm: (at) => this.armAlarm(at),
      now: () => Date.now(),
      flushOutbox: () => this.flushOutbox(),
      listMatch: (summary) => matchIndexStub(this.env).upsert(summary),
      putReadModel: (version) => {
        const { fastRead, config } = fastReadFor(this.env);
        return fastRead.putMatch(version, config.readModelTtlS);
      },
    });
    return { moments, outbox, edge, writer };
  }

  private flushOutbox(): Promise<void> {
    if (takeInjectedFault(this.store, "drop-queue-send")) return Promise.resolve();
    return this.parts.outbox.flush();
  }

  /** Sets the alarm for `at` unless it is already set to go off sooner. */
  private armAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((error) => console.error("setting the alarm failed", String(error)));
  }
}

/** After a queue error, the outbox is tried again after 5–10 s. */
const OUTBOX_RETRY_MS = 5_000;
