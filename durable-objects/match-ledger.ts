import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { presenceFreshMs } from "../edge/presence.ts";
import { fastReadFor } from "../fast-read/fast-read-config.ts";
import { LagWindow } from "../origin/lag.ts";
import { CompletionQueue } from "../origin/ledger/completion-queue.ts";
import { gapTimeoutDue, nextGapWait, readGapWait, writeGapWait } from "../origin/ledger/gap-wait.ts";
import { lagReport } from "../origin/ledger/lag-report.ts";
import type { LedgerConfig } from "../origin/ledger/ledger-config.ts";
import { type DeadLetter, LedgerStore } from "../origin/ledger/ledger-store.ts";
import { summarise } from "../origin/ledger/match-summary.ts";
import { MomentOutbox } from "../origin/ledger/moment-outbox.ts";
import { MomentStore } from "../origin/ledger/moment-store.ts";
import { newEpoch, Publisher } from "../origin/ledger/publisher.ts";
import {
  type AcknowledgeGapResult,
  type DiscardBufferedResult,
  type IngestOutcome,
  type ResolveConflictResult,
  Sequencer,
} from "../origin/ledger/sequencer.ts";
import { announceMoments } from "../origin/webhooks/announce.ts";
import type { Publication, ResumeAnswer } from "../protocol/publication.ts";
import { stateAsJson } from "../protocol/state-json.ts";
import type { Upstream } from "../rpc/fanout.ts";
import type { LedgerLag, LedgerRpc, MatchSnapshot, ReplayAnswer } from "../rpc/ledger.ts";
import { matchIndexStub } from "../rpc/match-index.ts";
import { type RoomRpc, roomStub } from "../rpc/room.ts";
import {
  ENGINE_VERSION,
  emptyState,
  type MatchState,
  type Moment,
  type ProviderEvent,
} from "../scoring/index.ts";
import { TreeRoot } from "../storage/tree-root.ts";

/**
 * The single writer for one match (the match id is the partition key). A thin shell:
 * storage and ordering live in `origin/ledger/`, cricket in `scoring/`; this
 * class owns the platform parts: the transaction, the gap-timeout alarm, the clock.
 */
export class MatchLedger extends DurableObject<Env> implements LedgerRpc {
  private readonly store: LedgerStore;
  private moments: MomentStore;
  private readonly config: LedgerConfig;
  private sequencer: Sequencer | null = null;
  private publisher: Publisher;
  private readonly resumeCache = new Map<string, ResumeAnswer>();
  /** Publications being completed after their commit, in order (see `write`). */
  private readonly completing = new CompletionQueue();
  /** The regions whose hub takes this match, and a kept stub per hub. */
  private root: TreeRoot<RoomRpc>;
  private lag: LagWindow;
  private readonly viewersFreshMs: number;
  /** The alarm as last set (it serves both the gap timeout and the outbox), or null. */
  private alarmAt: number | null = null;
  /** Partners' moments, committed with each version and drained to the moments queue. */
  private outbox: MomentOutbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    this.config = config.ledger;
    this.viewersFreshMs = presenceFreshMs(config.room.presenceIntervalMs);
    this.store = new LedgerStore(ctx.storage.sql);
    this.root = this.treeRoot();
    this.store.adoptEngine(ENGINE_VERSION, newEpoch);
    this.moments = new MomentStore(ctx.storage.sql);
    this.outbox = this.momentOutbox();
    this.publisher = new Publisher(this.store);
    this.lag = restoreLagWindow(this.store.getMeta("lag"));
    const released = this.store.releaseParkedAhead(Date.now());
    if (released > 0) console.warn("released events an older build parked too far ahead", released);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
      // Moments committed before a crash, never handed to the queue: sent as soon as possible.
      if (this.moments.hasUnannounced() || released > 0) this.armAlarm(Date.now());
    });
  }

  /** Stores and applies a batch for this match; resolves only once it is durable. */
  async ingest(matchId: string, events: ProviderEvent[]): Promise<IngestOutcome[]> {
    // Readers ask the index whether a match exists, so a match is listed before its first event
    // is stored: a crash between the two leaves a listed match with no events (readable, empty,
    // filled by the provider's retry), never stored events that readers are told do not exist.
    // A failure here fails the batch (503), and the provider retries it.
    if (this.matchId() === null) await matchIndexStub(this.env).upsert(summarise(emptyState(matchId), 0, 0));
    const now = Date.now();
    const outcomes = this.write(matchId, (sequencer) => sequencer.ingest(events, now));
    await this.afterWrite(now);
    return outcomes;
  }

  // --- the edge: registration, resume, reports -----------------------------------------

  /** A region's hub room has its first viewer (or child shard): publish to it from now on. */
  async registerRegion(matchId: string, region: string): Promise<void> {
    // Only a signed provider event brings a match into existence, never a viewer's room.
    if (!this.existing() || this.matchId() !== matchId) return;
    this.root.register(region, Date.now());
  }

  /**
   * Operations: forget every edge region's registration. Versions published until the regions
   * register again (their next presence report) reach no room: the rooms find the hole and
   * pull it. Useful after moving rooms, and to prove the pull path (`npm run chaos`).
   */
  async forgetEdge(): Promise<{ forgotten: number }> {
    return { forgotten: this.existing() ? this.root.forgetAll() : 0 };
  }

  /**
   * Removes the match entirely (the admin's "remove a match"): every row of its log, snapshots,
   * dead letters and edge registrations, and its alarm. Answers the regions whose rooms still
   * hold viewers, so the caller can close them. Afterwards this ledger is as if never created.
   */
  async remove(): Promise<{ removed: boolean; regions: string[] }> {
    if (!this.existing()) return { removed: false, regions: [] };
    const regions = this.root.regions().map((r) => r.region);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.alarmAt = null;
    // The tables again, empty, on the same handle: a later signed event starts the match afresh.
    new LedgerStore(this.ctx.storage.sql);
    this.root = this.treeRoot();
    this.moments = new MomentStore(this.ctx.storage.sql);
    this.outbox = this.momentOutbox();
    this.sequencer = null;
    this.resumeCache.clear();
    this.publisher = new Publisher(this.store);
    this.lag = new LagWindow();
    return { removed: true, regions };
  }

  /** A region's hub has no viewers left: its count leaves the match's total at once. */
  async unregisterRegion(matchId: string, region: string): Promise<void> {
    const sequencer = this.existing();
    if (!sequencer || this.matchId() !== matchId) return;
    this.root.unregister(region);
    void this.reportToIndex(sequencer.current());
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
    const sequencer = this.existing();
    if (!sequencer || this.matchId() !== matchId) return { viewers, seq: 0, epoch: null };
    this.root.report(region, viewers, confirmedSeq, Date.now());
    void this.reportToIndex(sequencer.current());
    return { viewers: this.viewers(), seq: sequencer.cursor, epoch: this.epoch() };
  }

  /**
   * What a room asks for when it finds a hole in its versions or a viewer resumes from further
   * back than its ring: the published patches since `since`, or the snapshot when the chain
   * cannot be replayed. Identical concurrent asks from many rooms share one answer.
   */
  async resume(matchId: string, epoch: string, since: number): Promise<ResumeAnswer | null> {
    const sequencer = this.existing();
    if (!sequencer || this.matchId() !== matchId) return null;
    // Up to the newest version whose delta is complete: the ones after it reach the rooms by
    // their own publication, which follows their completion.
    const head = this.completing.completeThrough(sequencer.cursor);
    const key = `${epoch}:${since}:${head}`;
    const cached = this.resumeCache.get(key);
    if (cached) return cached;
    const patches = this.publisher.patchesSince(epoch, since, head);
    const answer: ResumeAnswer = patches
      ? { kind: "patches", epoch, seq: head, patches }
      : { kind: "snapshot", epoch: this.epoch(), seq: head, state: stateAsJson(sequencer.current()) };
    if (this.resumeCache.size > 64) this.resumeCache.clear();
    this.resumeCache.set(key, answer);
    return answer;
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

  /** A page of the announced moments: seq > after, in order (see `MomentStore.after`). Null for an unknown match. */
  async momentsAfter(after: number, limit: number): Promise<Moment[] | null> {
    return this.existing() ? this.moments.after(after, limit) : null;
  }

  async lagReport(): Promise<LedgerLag | null> {
    const sequencer = this.existing();
    if (!sequencer) return null;
    const at = {
      matchId: this.matchId() ?? "",
      cursor: sequencer.cursor,
      buffered: sequencer.bufferedCount(),
      wait: readGapWait(this.store.getMeta("gapWaitSince")),
      now: Date.now(),
    };
    return lagReport(this.store, at, this.lag.samples(), this.root.regions());
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.existing() ? this.store.deadLetters() : [];
  }

  /** Re-applies a parked event in its place (after a fix), or puts one parked outside the log back in it. */
  async replayDeadLetter(seq: number): Promise<ReplayAnswer> {
    const sequencer = this.existing();
    if (!sequencer || this.store.deadLetter(seq) === null)
      return { found: false, applied: false, result: null, deadLetter: null };
    const now = Date.now();
    const result = this.write(this.matchId() ?? "", (s) => s.replayDeadLetter(seq, now));
    await this.afterWrite(now);
    return { found: true, applied: result === "applied", result, deadLetter: this.store.deadLetter(seq) };
  }

  async discardDeadLetter(seq: number): Promise<{ found: boolean }> {
    if (!this.existing() || this.store.deadLetter(seq) === null) return { found: false };
    this.store.discardDeadLetter(seq);
    return { found: true };
  }

  async discardBuffered(seq: number): Promise<DiscardBufferedResult | null> {
    if (!this.existing()) return null;
    const now = Date.now();
    const result = this.write(this.matchId() ?? "", (s) => s.discardBuffered(seq, now));
    await this.afterWrite(now);
    return result;
  }

  async acknowledgeGap(fromSeq: number): Promise<AcknowledgeGapResult | null> {
    return this.existing()?.acknowledgeGap(fromSeq, Date.now()) ?? null;
  }

  async resolveConflict(seq: number, keep: "stored" | "incoming"): Promise<ResolveConflictResult | null> {
    if (!this.existing()) return null;
    const now = Date.now();
    const result = this.write(this.matchId() ?? "", (s) => s.resolveConflict(seq, keep, now));
    await this.afterWrite(now);
    return result;
  }

  /**
   * One alarm, two duties. The gap timeout: move past a small hole that was not filled in time
   * (at a large one, keep waiting: decided once per cursor). The outbox: send what a crash or a
   * queue error left unsent.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const sequencer = this.existing();
    if (!sequencer) return;
    const now = Date.now();
    const wait = readGapWait(this.store.getMeta("gapWaitSince"));
    if (wait && gapTimeoutDue(wait, sequencer.cursor, now, this.config.gapTimeoutMs)) {
      const done = this.write(this.matchId() ?? "", (s) => s.onGapTimeout(now));
      // Waiting (or held by a conflict): nothing to time again until the cursor moves.
      if (done.kind !== "skip") this.store.setMeta("gapWaitSince", writeGapWait({ ...wait, decided: true }));
    }
    await this.afterWrite(now);
    await this.flushOutbox();
  }

  // ---------------------------------------------------------------------------

  /**
   * One write: the change, the version it publishes and the moments it announces commit in one
   * transaction, then the publication goes down the tree and the moments to partner webhooks
   * without holding up the caller (a lost notification is repaired by the rooms' pull path).
   */
  private write<T>(matchId: string, change: (sequencer: Sequencer) => T): T {
    const sequencer = this.sequencerFor(matchId);
    let committed: {
      result: T;
      publication: Publication | null;
      moments: Moment[];
      before: MatchState;
      after: MatchState;
    };
    try {
      committed = this.ctx.storage.transactionSync(() => {
        const before = { seq: sequencer.cursor, state: sequencer.current() };
        const result = change(sequencer);
        const after = sequencer.current();
        const cursor = sequencer.cursor;
        const publication = this.publisher.record(matchId, before, after, cursor);
        const moments = publication
          ? this.moments.record(matchId, before, after, cursor, this.store.eventsBetween(before.seq, cursor))
          : [];
        return { result, publication, moments, before: before.state, after };
      });
    } catch (error) {
      this.moments.forgetStanding();
      throw error;
    }
    const { result, publication, moments, before, after } = committed;
    if (publication) {
      this.resumeCache.clear();
      // The caller has its answer first: the fossil delta, the edge and the read model come a
      // turn of the event loop later, one version after another in publication order.
      const ready = this.completing.add(
        publication,
        () => this.publisher.completeDelta(publication, before, after),
        (error) => console.error("completing a publication failed", matchId, String(error)),
      );
      this.ctx.waitUntil(
        ready.then((full) =>
          Promise.all([
            this.publish(moments.length > 0 ? { ...full, moments } : full),
            this.writeReadModel(matchId, sequencer),
          ]),
        ),
      );
    }
    if (moments.length > 0) {
      // The moments are in the outbox (committed unsent with the version): the alarm is the
      // backstop that sends them should this instance die before the drain below finishes.
      this.armAlarm(Date.now() + OUTBOX_BACKSTOP_MS);
      this.ctx.waitUntil(this.flushOutbox());
    }
    return result;
  }

  private flushOutbox(): Promise<void> {
    if (this.store.getMeta("fault") === "drop-queue-send") {
      // Fault injection for the outbox's test, set only by a test in this object's own storage:
      // the send is lost as if the process died here (the test then restarts the object).
      this.store.setMeta("fault", "");
      return Promise.resolve();
    }
    return this.outbox.flush();
  }

  /** A queue error leaves the rest for the alarm 5–10 s later (jittered: ledgers that failed together retry apart). */
  private momentOutbox(): MomentOutbox {
    return new MomentOutbox(
      this.moments,
      (moments) => announceMoments(this.env, moments),
      (error, pending) => {
        console.error("moments queue refused; kept in the outbox", this.matchId(), pending, String(error));
        this.armAlarm(Date.now() + OUTBOX_RETRY_MS * (1 + Math.random()));
      },
    );
  }

  /** Sets the alarm for `at` unless it is already set to go off sooner. */
  private armAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((error) => console.error("setting the alarm failed", String(error)));
  }

  /** The tree's root: the `edge_regions` table, hubs are the match's rooms at shard 0. */
  private treeRoot(): TreeRoot<RoomRpc> {
    return new TreeRoot(this.ctx.storage.sql, "edge_regions", (region) =>
      roomStub(this.env, this.matchId() ?? "", region, 0),
    );
  }

  /**
   * One message per registered region, to its hub; hubs forward to their shards. A silent
   * region is not dropped here: the lag report shows it STOPPED, and its count has expired.
   */
  private async publish(publication: Publication): Promise<void> {
    const regions = this.root.regions().map((r) => r.region);
    await this.root.publishToHubs(regions, (hub) => hub.publish(publication), publication.matchId);
  }

  /**
   * CQRS: the read model gets each new version off the write path. The guard bounds it to one
   * short timeout (nothing while Redis's breaker is open), and a failed write is only a stale
   * copy: readers fall back to this ledger, and the next version overwrites it.
   */
  private async writeReadModel(matchId: string, sequencer: Sequencer): Promise<void> {
    const { fastRead, config } = fastReadFor(this.env);
    const state = sequencer.current();
    await fastRead.putMatch(
      { matchId, epoch: this.epoch(), seq: sequencer.cursor, state: stateAsJson(state) },
      config.readModelTtlS,
    );
  }

  /** Viewers over the regions that reported recently: a silent region's count has expired. */
  private viewers(): number {
    return this.root.viewers(Date.now(), this.viewersFreshMs);
  }

  private sequencerFor(matchId: string): Sequencer {
    const known = this.matchId();
    if (known === null) {
      this.store.setMeta("matchId", matchId);
      this.store.setMeta("engine", ENGINE_VERSION);
      this.store.setMeta("epoch", newEpoch());
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

  /** Bookkeeping after every write: lag sample, gap-timeout alarm, the match directory. */
  private async afterWrite(now: number): Promise<void> {
    const sequencer = this.existing();
    if (!sequencer) return;
    const cursor = sequencer.cursor;
    this.lag.record({ at: now, produced: this.store.maxSeq(), consumed: cursor });
    this.store.setMeta("lag", JSON.stringify(this.lag));
    const current = readGapWait(this.store.getMeta("gapWaitSince"));
    const next = nextGapWait(current, cursor, sequencer.bufferedCount(), now, this.config.gapTimeoutMs);
    if (next.wait !== current) this.store.setMeta("gapWaitSince", writeGapWait(next.wait));
    if (next.alarmAt !== null) this.armAlarm(next.alarmAt);
    void this.reportToIndex(sequencer.current());
  }

  /**
   * The match list is a convenience read; a slow index never holds up ingestion (except at a
   * match's birth, see `ingest`).
   */
  private reportToIndex(state: MatchState): Promise<void> {
    const summary = summarise(state, this.existing()?.cursor ?? state.seq, this.viewers());
    const report = matchIndexStub(this.env)
      .upsert(summary)
      .catch((error) => console.error("match index update failed", state.matchId, String(error)));
    this.ctx.waitUntil(report);
    return report;
  }
}

/** When the alarm looks at the outbox after a write with moments, in case this instance dies first. */
const OUTBOX_BACKSTOP_MS = 10_000;
/** After a queue error, the outbox is tried again after 5–10 s. */
const OUTBOX_RETRY_MS = 5_000;

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
