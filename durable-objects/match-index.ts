import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { presenceFreshMs } from "../edge/presence.ts";
import type { MatchSummary } from "../protocol/admin-types.ts";
import type { TickerEntry, TickerPublication } from "../protocol/ticker.ts";
import type { MatchIndexRpc, TickerHeadAnswer } from "../rpc/match-index.ts";
import { type TickerRoomRpc, tickerRoomStub } from "../rpc/ticker-room.ts";
import { DirectoryStore, type ListedMatch } from "../storage/directory-store.ts";
import { TickerFeed } from "../storage/ticker-feed.ts";
import { TreeRoot } from "../storage/tree-root.ts";

export type { MatchSummary } from "../protocol/admin-types.ts";

/**
 * The directory of known matches, one object for the deployment. Ledgers report to it
 * after their writes and the edge's presence reports, fire-and-forget: it is a read
 * convenience and never on the ingestion path. With a few hundred matches a day one object
 * is plenty; past that it would be sharded by date.
 *
 * Viewer counts are reports that expire: a count not refreshed for a few presence ticks
 * reads as 0, so a match whose rooms went away (closed, crashed, restarted) never keeps
 * "2 watching" on the list.
 *
 * It is also the ticker's source: every summary marks the match's headline as waiting, and
 * headlines go out coalesced (at most one per match per TICKER_MIN_INTERVAL_MS, the newest at
 * the interval's end, by alarm) to the region hubs of the ticker tree. Three stores, one
 * database, none reading another's tables: the directory (storage/directory-store.ts), the
 * ticker's versions (storage/ticker-feed.ts) and the tree's root (storage/tree-root.ts).
 */
export class MatchIndex extends DurableObject<Env> implements MatchIndexRpc {
  private readonly directory: DirectoryStore;
  private readonly ticker: TickerFeed;
  private readonly root: TreeRoot<TickerRoomRpc>;
  private readonly childTimeoutMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    this.childTimeoutMs = config.room.childTimeoutMs;
    this.directory = new DirectoryStore(ctx.storage.sql, presenceFreshMs(config.room.presenceIntervalMs));
    this.ticker = new TickerFeed(ctx.storage.sql, config.ticker, config.viewers.privateMatches);
    this.root = new TreeRoot(ctx.storage.sql, "ticker_regions", (region) => tickerRoomStub(env, region, 0));
    if (!this.ticker.started()) {
      // A directory that predates the ticker: the first flush builds it from every match listed.
      this.ticker.start(this.directory.entries());
      void ctx.blockConcurrencyWhile(() => ctx.storage.setAlarm(Date.now()));
    }
  }

  /** Newer seqs win, so reports that arrive out of order cannot move a match backwards. */
  async upsert(summary: MatchSummary): Promise<void> {
    const now = Date.now();
    this.directory.upsert(summary, now);
    this.ticker.touch(summary.matchId, summary.status, now);
    await this.flushTicker(now, summary.matchId);
  }

  async has(matchId: string): Promise<boolean> {
    return this.directory.has(matchId);
  }

  async remove(matchId: string): Promise<void> {
    this.directory.remove(matchId);
    this.publishTicker(this.ticker.remove(matchId));
  }

  async list(): Promise<ListedMatch[]> {
    return this.directory.list(Date.now());
  }

  // --- the ticker's source ---------------------------------------------------------------

  async tickerSince(epoch: string | null, since: number): Promise<TickerPublication> {
    return this.ticker.since(epoch, since);
  }

  /** A hub's join, and every presence tick its report (the ticker counts no viewers and no confirmed seq). */
  async joinTicker(region: string): Promise<TickerHeadAnswer> {
    this.root.report(region, 0, 0, Date.now());
    return { epoch: this.ticker.epoch(), seq: this.ticker.seq() };
  }

  async leaveTicker(region: string): Promise<void> {
    this.root.unregister(region);
  }

  /** The end of a coalescing interval (or a finished match's time on the ticker): what is due goes out. */
  override async alarm(): Promise<void> {
    await this.flushTicker(Date.now());
  }

  /** The ticker says which matches are due, the directory gives their summaries, the ticker numbers the changes. */
  private async flushTicker(now: number, only?: string): Promise<void> {
    const plan = this.ticker.plan(now, only);
    const summaries = this.directory.summaries(plan.matchIds, now);
    const { entries, nextAt } = this.ticker.flush(plan, summaries, now);
    this.publishTicker(entries);
    if (nextAt === null) return;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > nextAt) await this.ctx.storage.setAlarm(nextAt);
  }

  /**
   * Down the tree, to every region hub that reported lately; a silent region is forgotten, and
   * so is one whose hub has nobody left. A hub that missed a publication pulls it at its next
   * tick (its report answers the head, so it sees it is behind).
   */
  private publishTicker(entries: TickerEntry[]): void {
    if (entries.length === 0) return;
    const publication: TickerPublication = { kind: "changes", epoch: this.ticker.epoch(), entries };
    const regions = this.root.expire(Date.now(), this.childTimeoutMs).map((r) => r.region);
    this.ctx.waitUntil(this.root.publishToHubs(regions, (hub) => hub.publish(publication), "ticker"));
  }
}
