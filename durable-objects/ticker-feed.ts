/**
 * The ticker's source of truth, kept by the match index in its own SQLite: per match, the
 * headline that last went out and when, whether a newer one waits (coalescing), and since
 * when it is finished; a numbered log of recent changes (the ticker's versions, for rooms that
 * missed some and for viewers resuming); the regions whose hubs take the ticker. The decisions
 * are edge/ticker-*.ts's; this class stores and numbers.
 */
import type { CreaseConfig } from "../config/crease-config.ts";
import { planFlush } from "../edge/ticker-coalesce.ts";
import { headlineOf, onTicker, sameHeadline } from "../edge/ticker-headline.ts";
import { entriesSince } from "../edge/ticker-stream.ts";
import { isPrivateMatch } from "../edge/viewer-token.ts";
import type { MatchSummary } from "../protocol/admin-types.ts";
import type { Headline, TickerEntry, TickerPublication } from "../protocol/ticker.ts";

type Row = {
  match_id: string;
  headline: string | null;
  sent_at: number | null;
  pending: number;
  finished_at: number | null;
};

export class TickerFeed {
  constructor(
    private readonly sql: SqlStorage,
    private readonly config: CreaseConfig["ticker"],
    private readonly privateMatches: string[],
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS ticker_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ticker_matches (match_id TEXT PRIMARY KEY, headline TEXT,
        sent_at INTEGER, pending INTEGER NOT NULL DEFAULT 0, finished_at INTEGER);
      CREATE TABLE IF NOT EXISTS ticker_log (version INTEGER PRIMARY KEY, entry TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ticker_regions (region TEXT PRIMARY KEY, reported_at INTEGER NOT NULL);
    `);
  }

  /**
   * The ticker's history id, made once. A directory that predates the ticker has every match
   * it lists waiting to go out (finished ones as finished when last updated), so the first
   * flush builds the ticker. True when that happened (the caller sets the alarm).
   */
  start(): boolean {
    if (this.meta("epoch") !== null) return false;
    this.setMeta("epoch", crypto.randomUUID().replaceAll("-", "").slice(0, 12));
    this.setMeta("version", "0");
    this.sql.exec(`INSERT OR IGNORE INTO ticker_matches (match_id, pending, finished_at)
      SELECT match_id, 1, CASE WHEN status = 'finished' THEN updated_at ELSE NULL END FROM matches`);
    return true;
  }

  epoch(): string {
    return this.meta("epoch") ?? "0";
  }

  version(): number {
    return Number(this.meta("version") ?? 0);
  }

  /** A match's summary changed: its headline waits to go out. Private matches are never kept. */
  touch(matchId: string, status: string, now: number): void {
    if (isPrivateMatch(this.privateMatches, matchId)) return;
    const row = this.row(matchId);
    const finishedAt = status === "finished" ? (row?.finished_at ?? now) : null;
    this.sql.exec(
      `INSERT INTO ticker_matches (match_id, pending, finished_at) VALUES (?, 1, ?)
       ON CONFLICT(match_id) DO UPDATE SET pending = 1, finished_at = excluded.finished_at`,
      matchId,
      finishedAt,
    );
  }

  /** The match was removed from the directory: off the ticker at once (its change, if it was on). */
  remove(matchId: string): TickerEntry[] {
    const row = this.row(matchId);
    this.sql.exec("DELETE FROM ticker_matches WHERE match_id = ?", matchId);
    return row?.headline ? [this.number({ kind: "unlisted", matchId })] : [];
  }

  /**
   * Sends what is due: every waiting headline whose interval has passed (the newest summary,
   * read now: changes in between were merged), and finished matches whose time on the ticker
   * is up (every match, or `only` that one). Returns the numbered changes and when the next
   * one falls due.
   */
  flush(
    now: number,
    summaryOf: (matchId: string) => MatchSummary | null,
    only?: string,
  ): {
    entries: TickerEntry[];
    nextAt: number | null;
  } {
    // After a write only its match can have become due: one row, not every match's, per event.
    const rows =
      only === undefined
        ? this.sql.exec<Row>("SELECT * FROM ticker_matches").toArray()
        : this.sql.exec<Row>("SELECT * FROM ticker_matches WHERE match_id = ?", only).toArray();
    const plan = planFlush(
      rows.map((r) => ({ matchId: r.match_id, sentAt: r.sent_at, pending: r.pending === 1 })),
      now,
      this.config.minIntervalMs,
    );
    const due = new Set(plan.due);
    const entries: TickerEntry[] = [];
    let nextAt = plan.nextAt;
    for (const row of rows) {
      const expiresAt = row.finished_at === null ? null : row.finished_at + this.config.finishedForMs;
      if (!due.has(row.match_id) && !(row.headline !== null && expiresAt !== null && expiresAt <= now)) {
        if (row.headline !== null && expiresAt !== null) nextAt = Math.min(nextAt ?? expiresAt, expiresAt);
        continue;
      }
      const summary = summaryOf(row.match_id);
      const listed =
        summary !== null &&
        !isPrivateMatch(this.privateMatches, row.match_id) &&
        onTicker(summary.status, row.finished_at, now, this.config.finishedForMs);
      const next = listed && summary ? headlineOf(summary) : null;
      const held = row.headline === null ? null : (JSON.parse(row.headline) as Headline);
      if (next && expiresAt !== null) nextAt = Math.min(nextAt ?? expiresAt, expiresAt);
      if (sameHeadline(held, next) || (held === null && next === null)) {
        // Nothing the ticker shows changed: no version, and the interval is not spent.
        this.sql.exec("UPDATE ticker_matches SET pending = 0 WHERE match_id = ?", row.match_id);
        continue;
      }
      entries.push(
        this.number(
          next ? { kind: "headline", headline: next } : { kind: "unlisted", matchId: row.match_id },
        ),
      );
      this.sql.exec(
        "UPDATE ticker_matches SET headline = ?, sent_at = ?, pending = 0 WHERE match_id = ?",
        next ? JSON.stringify(next) : null,
        now,
        row.match_id,
      );
    }
    return { entries, nextAt };
  }

  /** Every headline on the ticker now. */
  full(): TickerPublication & { kind: "full" } {
    const headlines = this.sql
      .exec<{ match_id: string; headline: string }>(
        "SELECT match_id, headline FROM ticker_matches WHERE headline IS NOT NULL ORDER BY match_id",
      )
      .toArray()
      .filter((r) => !isPrivateMatch(this.privateMatches, r.match_id))
      .map((r) => JSON.parse(r.headline) as Headline);
    return { kind: "full", epoch: this.epoch(), version: this.version(), headlines };
  }

  /** The changes after `since` when the log reaches back to it in this history, else every headline. */
  since(epoch: string | null, since: number): TickerPublication {
    const version = this.version();
    if (epoch === this.epoch() && since <= version) {
      const log = this.sql
        .exec<{ entry: string }>("SELECT entry FROM ticker_log WHERE version > ? ORDER BY version", since)
        .toArray()
        .map((r) => JSON.parse(r.entry) as TickerEntry);
      const entries = entriesSince(since, version, log);
      if (entries) return { kind: "changes", epoch: this.epoch(), entries };
    }
    return this.full();
  }

  // --- the regions that take the ticker -------------------------------------------------

  joinRegion(region: string, now: number): void {
    this.sql.exec("INSERT OR REPLACE INTO ticker_regions (region, reported_at) VALUES (?, ?)", region, now);
  }

  leaveRegion(region: string): void {
    this.sql.exec("DELETE FROM ticker_regions WHERE region = ?", region);
  }

  /** Regions whose hub reported within `timeoutMs`; the others are forgotten. */
  regions(now: number, timeoutMs: number): string[] {
    this.sql.exec("DELETE FROM ticker_regions WHERE reported_at < ?", now - timeoutMs);
    return this.sql
      .exec<{ region: string }>("SELECT region FROM ticker_regions ORDER BY region")
      .toArray()
      .map((r) => r.region);
  }

  // ---------------------------------------------------------------------------------------

  /** Gives a change the next version and keeps it in the log (the oldest beyond the ring dropped). */
  private number(
    change: { kind: "headline"; headline: Headline } | { kind: "unlisted"; matchId: string },
  ): TickerEntry {
    const prev = this.version();
    const version = prev + 1;
    const entry: TickerEntry = { ...change, version, prev };
    this.sql.exec(
      "INSERT OR REPLACE INTO ticker_log (version, entry) VALUES (?, ?)",
      version,
      JSON.stringify(entry),
    );
    this.sql.exec("DELETE FROM ticker_log WHERE version <= ?", version - this.config.ringSize);
    this.setMeta("version", String(version));
    return entry;
  }

  private row(matchId: string): Row | null {
    return (
      this.sql.exec<Row>("SELECT * FROM ticker_matches WHERE match_id = ?", matchId).toArray()[0] ?? null
    );
  }

  private meta(key: string): string | null {
    const row = this.sql
      .exec<{ value: string }>("SELECT value FROM ticker_meta WHERE key = ?", key)
      .toArray()[0];
    return row ? row.value : null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO ticker_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}
