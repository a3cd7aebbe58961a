import type { MatchSummary } from "../../protocol/admin-types.ts";
import type { JsonValue } from "../../protocol/live-messages.ts";
import type { Publication } from "../../protocol/publication.ts";
import { stateAsJson } from "../../protocol/state-json.ts";
import type { MatchState, Moment } from "../../scoring/index.ts";
import { type LagSample, LagWindow } from "../lag.ts";
import type { CompletionQueue } from "./completion-queue.ts";
import { nextGapWait, readGapWait, writeGapWait } from "./gap-wait.ts";
import type { LedgerConfig } from "./ledger-config.ts";
import type { LedgerEdge } from "./ledger-edge.ts";
import type { LedgerStore } from "./ledger-store.ts";
import { summarise } from "./match-summary.ts";
import type { MomentStore } from "./moment-store.ts";
import type { Publisher } from "./publisher.ts";
import type { Sequencer } from "./sequencer.ts";

/** When the alarm looks at the outbox after a write with moments, in case the instance dies first. */
const OUTBOX_BACKSTOP_MS = 10_000;

/** The newest version as the read model keeps it (the fast-read layer's `StoredMatch`). */
export interface ReadModelVersion {
  matchId: string;
  epoch: string;
  seq: number;
  state: JsonValue;
}

/** The ledger's stores and helpers the write path works with. */
export interface WriterParts {
  store: LedgerStore;
  moments: MomentStore;
  publisher: Publisher;
  completing: CompletionQueue;
  edge: LedgerEdge;
  config: LedgerConfig;
}

/** What the Durable Object lends the write path: its platform (transaction, lifetime, alarm, clock) and the calls out. */
export interface WriterPorts {
  /** Runs `body` in one storage transaction (`ctx.storage.transactionSync`). */
  transaction<T>(body: () => T): T;
  /** Keeps the object alive until `work` settles (`ctx.waitUntil`). */
  waitUntil(work: Promise<unknown>): void;
  /** Sets the alarm for `at` unless it is already set to go off sooner. */
  armAlarm(at: number): void;
  now(): number;
  /** Drains the moments outbox to the queue. */
  flushOutbox(): Promise<void>;
  /** The match directory's line for this match (the match index's `upsert`). */
  listMatch(summary: MatchSummary): Promise<void>;
  /** The read model's copy of the newest version (the fast-read layer's `putMatch`, guarded). */
  putReadModel(version: ReadModelVersion): Promise<unknown>;
}

/**
 * The ledger's write path: each change commits in one transaction with the version it publishes
 * and the moments it announces, then completes off the caller's path (the fossil delta, the
 * edge, the read model, the outbox), and the bookkeeping follows (lag, gap timeout, directory).
 */
export class LedgerWriter {
  /** The lag window survives eviction in the store's meta (see `afterWrite`). */
  readonly #lag: LagWindow;

  constructor(
    private readonly parts: WriterParts,
    private readonly ports: WriterPorts,
  ) {
    this.#lag = restoreLagWindow(parts.store.getMeta("lag"));
  }

  /** The lag samples of the recent writes, oldest first. */
  lagSamples(): LagSample[] {
    return this.#lag.samples();
  }

  /** One write and its bookkeeping: resolves with the change's result once both are done. */
  async commit<T>(
    sequencer: Sequencer,
    matchId: string,
    now: number,
    change: (sequencer: Sequencer) => T,
  ): Promise<T> {
    const result = this.write(sequencer, matchId, change);
    await this.afterWrite(sequencer, now);
    return result;
  }

  /**
   * One write: the change, the version it publishes and the moments it announces commit in one
   * transaction, then the publication goes down the tree and the moments to partner webhooks
   * without holding up the caller (a lost notification is repaired by the rooms' pull path).
   */
  write<T>(sequencer: Sequencer, matchId: string, change: (sequencer: Sequencer) => T): T {
    const { store, moments: momentStore, publisher, completing, edge } = this.parts;
    let committed: {
      result: T;
      publication: Publication | null;
      moments: Moment[];
      before: MatchState;
      after: MatchState;
    };
    try {
      committed = this.ports.transaction(() => {
        const before = { seq: sequencer.cursor, state: sequencer.current() };
        const result = change(sequencer);
        const after = sequencer.current();
        const cursor = sequencer.cursor;
        const publication = publisher.record(matchId, before, after, cursor);
        const moments = publication
          ? momentStore.record(matchId, before, after, cursor, store.eventsBetween(before.seq, cursor))
          : [];
        return { result, publication, moments, before: before.state, after };
      });
    } catch (error) {
      momentStore.forgetStanding();
      throw error;
    }
    const { result, publication, moments, before, after } = committed;
    if (publication) {
      edge.published();
      // The caller has its answer first: the fossil delta, the edge and the read model come a
      // turn of the event loop later, one version after another in publication order.
      const ready = completing.add(
        publication,
        () => publisher.completeDelta(publication, before, after),
        (error) => console.error("completing a publication failed", matchId, String(error)),
      );
      this.ports.waitUntil(
        ready.then((full) =>
          Promise.all([
            edge.publish(moments.length > 0 ? { ...full, moments } : full),
            this.writeReadModel(matchId, sequencer),
          ]),
        ),
      );
    }
    if (moments.length > 0) {
      // The moments are in the outbox (committed unsent with the version): the alarm is the
      // backstop that sends them should this instance die before the drain below finishes.
      this.ports.armAlarm(this.ports.now() + OUTBOX_BACKSTOP_MS);
      this.ports.waitUntil(this.ports.flushOutbox());
    }
    return result;
  }

  /** Bookkeeping after every write: lag sample, gap-timeout alarm, the match directory. */
  async afterWrite(sequencer: Sequencer, now: number): Promise<void> {
    const { store, config } = this.parts;
    const cursor = sequencer.cursor;
    this.#lag.record({ at: now, produced: store.maxSeq(), consumed: cursor });
    store.setMeta("lag", JSON.stringify(this.#lag));
    const current = readGapWait(store.getMeta("gapWaitSince"));
    const next = nextGapWait(current, cursor, sequencer.bufferedCount(), now, config.gapTimeoutMs);
    if (next.wait !== current) store.setMeta("gapWaitSince", writeGapWait(next.wait));
    if (next.alarmAt !== null) this.ports.armAlarm(next.alarmAt);
    void this.reportToIndex(sequencer);
  }

  /**
   * The match list is a convenience read; a slow index never holds up ingestion (except at a
   * match's birth, see `MatchLedger.ingest`).
   */
  reportToIndex(sequencer: Sequencer): Promise<void> {
    const state = sequencer.current();
    const summary = summarise(state, sequencer.cursor, this.parts.edge.viewers(this.ports.now()));
    const report = this.ports
      .listMatch(summary)
      .catch((error) => console.error("match index update failed", state.matchId, String(error)));
    this.ports.waitUntil(report);
    return report;
  }

  /**
   * CQRS: the read model gets each new version off the write path. The guard bounds it to one
   * short timeout (nothing while Redis's breaker is open), and a failed write is only a stale
   * copy: readers fall back to the ledger, and the next version overwrites it.
   */
  private async writeReadModel(matchId: string, sequencer: Sequencer): Promise<void> {
    const state = stateAsJson(sequencer.current());
    await this.ports.putReadModel({
      matchId,
      epoch: this.parts.publisher.epoch(),
      seq: sequencer.cursor,
      state,
    });
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
