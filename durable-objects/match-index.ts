import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { presenceFreshMs } from "../edge/presence.ts";
import type { InningsLine, MatchSummary } from "../protocol/admin-types.ts";
import type { TickerEntry, TickerPublication } from "../protocol/ticker.ts";
import type { MatchIndexRpc } from "./rpc.ts";
import { TickerFeed } from "./ticker-feed.ts";
import type { TickerHeadAnswer } from "./ticker-rpc.ts";
import { tickerRoomStub } from "./ticker-stubs.ts";

export type { MatchSummary } from "../protocol/admin-types.ts";

type Row = {
  match_id: string;
  seq: number;
  status: string;
  teams: string;
  title: string | null;
  updated_at: number;
  viewers: number;
  viewers_at: number;
  detail: string;
};

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
 * the interval's end, by alarm) to the region hubs of the ticker tree (./ticker-feed.ts).
 */
export class MatchIndex extends DurableObject<Env> implements MatchIndexRpc {
  private readonly viewersFreshMs: number;
  private readonly ticker: TickerFeed;
  private readonly childTimeoutMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    this.viewersFreshMs = presenceFreshMs(config.room.presenceIntervalMs);
    this.childTimeoutMs = config.room.childTimeoutMs;
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS matches (
      match_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL,
      teams TEXT NOT NULL, title TEXT, updated_at INTEGER NOT NULL, viewers INTEGER NOT NULL DEFAULT 0,
      viewers_at INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '{}')`);
    // Local state from older versions lacks the later columns.
    const columns = new Set(
      ctx.storage.sql
        .exec<{ name: string }>("PRAGMA table_info(matches)")
        .toArray()
        .map((c) => c.name),
    );
    const added: [string, string][] = [
      ["viewers", "INTEGER NOT NULL DEFAULT 0"],
      ["viewers_at", "INTEGER NOT NULL DEFAULT 0"],
      ["detail", "TEXT NOT NULL DEFAULT '{}'"],
    ];
    for (const [name, type] of added) {
      if (!columns.has(name)) ctx.storage.sql.exec(`ALTER TABLE matches ADD COLUMN ${name} ${type}`);
    }
    this.ticker = new TickerFeed(ctx.storage.sql, config.ticker, config.viewers.privateMatches);
    if (this.ticker.start()) void ctx.blockConcurrencyWhile(() => ctx.storage.setAlarm(Date.now()));
  }

  /** Newer seqs win, so reports that arrive out of order cannot move a match backwards. */
  async upsert(summary: MatchSummary): Promise<void> {
    const now = Date.now();
    const detail: Detail = {
      innings: summary.innings,
      result: summary.result,
      lastEventTs: summary.lastEventTs,
      chase: summary.chase ?? null,
    };
    this.ctx.storage.sql.exec(
      `INSERT INTO matches (match_id, seq, status, teams, title, updated_at, viewers, viewers_at, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(match_id) DO UPDATE SET seq = excluded.seq, status = excluded.status,
         teams = excluded.teams, title = excluded.title, updated_at = excluded.updated_at,
         viewers = excluded.viewers, viewers_at = excluded.viewers_at, detail = excluded.detail
       WHERE excluded.seq >= matches.seq`,
      summary.matchId,
      summary.seq,
      summary.status,
      JSON.stringify(summary.teams),
      summary.title,
      now,
      summary.viewers,
      now,
      JSON.stringify(detail),
    );
    this.ticker.touch(summary.matchId, summary.status, now);
    await this.flushTicker(now, summary.matchId);
  }

  async has(matchId: string): Promise<boolean> {
    return (
      this.ctx.storage.sql.exec("SELECT 1 FROM matches WHERE match_id = ?", matchId).toArray().length > 0
    );
  }

  async remove(matchId: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM matches WHERE match_id = ?", matchId);
    this.publishTicker(this.ticker.remove(matchId));
  }

  async list(): Promise<(MatchSummary & { updatedAt: number })[]> {
    const now = Date.now();
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM matches ORDER BY updated_at DESC LIMIT 500")
      .toArray()
      .map((r) => this.summary(r, now));
  }

  // --- the ticker's source ---------------------------------------------------------------

  async tickerSince(epoch: string | null, since: number): Promise<TickerPublication> {
    return this.ticker.since(epoch, since);
  }

  async joinTicker(region: string): Promise<TickerHeadAnswer> {
    this.ticker.joinRegion(region, Date.now());
    return { epoch: this.ticker.epoch(), version: this.ticker.version() };
  }

  async leaveTicker(region: string): Promise<void> {
    this.ticker.leaveRegion(region);
  }

  /** The end of a coalescing interval (or a finished match's time on the ticker): what is due goes out. */
  override async alarm(): Promise<void> {
    await this.flushTicker(Date.now());
  }

  private async flushTicker(now: number, only?: string): Promise<void> {
    const { entries, nextAt } = this.ticker.flush(
      now,
      (matchId) => {
        const row = this.ctx.storage.sql
          .exec<Row>("SELECT * FROM matches WHERE match_id = ?", matchId)
          .toArray()[0];
        return row ? this.summary(row, now) : null;
      },
      only,
    );
    this.publishTicker(entries);
    if (nextAt === null) return;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > nextAt) await this.ctx.storage.setAlarm(nextAt);
  }

  /** Down the tree, to every region hub that takes the ticker; a hub with nobody left is forgotten. */
  private publishTicker(entries: TickerEntry[]): void {
    if (entries.length === 0) return;
    const publication: TickerPublication = { kind: "changes", epoch: this.ticker.epoch(), entries };
    for (const region of this.ticker.regions(Date.now(), this.childTimeoutMs)) {
      const sent = tickerRoomStub(this.env, region, 0)
        .publish(publication)
        .then(({ active }) => {
          if (!active) this.ticker.leaveRegion(region);
        })
        // The hub pulls what it missed at its next tick (a report answers with nothing, so it asks).
        .catch((error) => console.error("ticker publish failed", region, String(error)));
      this.ctx.waitUntil(sent);
    }
  }

  private summary(r: Row, now: number): MatchSummary & { updatedAt: number } {
    return {
      matchId: r.match_id,
      seq: r.seq,
      status: r.status,
      teams: parseTeams(r.teams),
      title: r.title,
      ...parseDetail(r.detail),
      viewers: now - r.viewers_at <= this.viewersFreshMs ? r.viewers : 0,
      updatedAt: r.updated_at,
    };
  }
}

type Detail = Pick<MatchSummary, "innings" | "result" | "lastEventTs" | "chase">;

function parseTeams(raw: string): string[] {
  const value: unknown = JSON.parse(raw);
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
}

/** A row is a boundary too: a detail written by an older version reads as "no detail". */
function parseDetail(raw: string): Detail {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = null;
  }
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const innings = Array.isArray(v.innings) ? v.innings.filter(isInningsLine) : [];
  return {
    innings,
    result: typeof v.result === "string" ? v.result : null,
    lastEventTs: typeof v.lastEventTs === "string" ? v.lastEventTs : null,
    chase: parseChase(v.chase),
  };
}

function parseChase(x: unknown): MatchSummary["chase"] {
  if (typeof x !== "object" || x === null) return null;
  const r = x as Record<string, unknown>;
  const balls = r.ballsRemaining;
  return typeof r.target === "number" && typeof r.runsNeeded === "number"
    ? { target: r.target, runsNeeded: r.runsNeeded, ballsRemaining: typeof balls === "number" ? balls : null }
    : null;
}

function isInningsLine(x: unknown): x is InningsLine {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.team === "string" &&
    typeof r.runs === "number" &&
    typeof r.wickets === "number" &&
    typeof r.overs === "string"
  );
}
