import { DurableObject } from "cloudflare:workers";
import type { FastReadStoreRpc } from "../fast-read/embedded-fast-read.ts";
import {
  type PresenceCounts,
  type PresenceReport,
  presenceMember,
  sumPresence,
} from "../fast-read/fast-read.ts";

/**
 * The embedded fast-read store: what Redis holds in the Upstash mode, on a Durable Object's
 * SQLite instead, so a fresh clone runs without any account. One object per match holds its
 * presence and read model; rate-limit counters are spread over a few objects by key.
 */
export class FastReadStore extends DurableObject<Env> implements FastReadStoreRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS presence (member TEXT PRIMARY KEY, viewers INTEGER NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS match (one INTEGER PRIMARY KEY CHECK (one = 1), body TEXT NOT NULL,
        seq INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS counters (key TEXT NOT NULL, window_start INTEGER NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (key, window_start));
    `);
  }

  async reportPresence(report: PresenceReport): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO presence (member, viewers, at) VALUES (?, ?, ?)",
      presenceMember(report),
      report.viewers,
      report.at,
    );
  }

  async presence(now: number, freshMs: number): Promise<PresenceCounts> {
    this.ctx.storage.sql.exec("DELETE FROM presence WHERE at < ?", now - 10 * freshMs);
    const rooms = this.ctx.storage.sql
      .exec<{ member: string; viewers: number }>(
        "SELECT member, viewers FROM presence WHERE at >= ?",
        now - freshMs,
      )
      .toArray();
    return sumPresence(rooms);
  }

  /** Keeps the newest seq only, like the Redis script. */
  async putMatch(body: string, seq: number, ttlSeconds: number, now: number): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO match (one, body, seq, expires_at) VALUES (1, ?, ?, ?)
       ON CONFLICT(one) DO UPDATE SET body = excluded.body, seq = excluded.seq, expires_at = excluded.expires_at
       WHERE excluded.seq >= match.seq`,
      body,
      seq,
      now + ttlSeconds * 1000,
    );
  }

  /** Empties the match's presence and read model (the tables stay: this instance may be asked again). */
  async clear(): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM presence; DELETE FROM match");
  }

  async getMatch(now: number): Promise<string | null> {
    const row = this.ctx.storage.sql
      .exec<{ body: string; expires_at: number }>("SELECT body, expires_at FROM match WHERE one = 1")
      .toArray()[0];
    return row && row.expires_at > now ? row.body : null;
  }

  /**
   * A sliding window as Upstash approximates it: this window's count plus the previous
   * window's, weighted by how much of it still overlaps.
   */
  async hit(
    key: string,
    limit: number,
    windowSeconds: number,
    now: number,
    cost = 1,
  ): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM counters WHERE window_start < ?", start - windowMs);
    const count = (windowStart: number) =>
      sql
        .exec<{ count: number }>(
          "SELECT count FROM counters WHERE key = ? AND window_start = ?",
          key,
          windowStart,
        )
        .toArray()[0]?.count ?? 0;
    const previousWeight = 1 - (now - start) / windowMs;
    const used = count(start) + Math.floor(count(start - windowMs) * previousWeight);
    if (used + cost > limit) return { allowed: false, retryAfterMs: start + windowMs - now };
    sql.exec(
      `INSERT INTO counters (key, window_start, count) VALUES (?, ?, ?)
       ON CONFLICT(key, window_start) DO UPDATE SET count = count + excluded.count`,
      key,
      start,
      cost,
    );
    return { allowed: true, retryAfterMs: 0 };
  }
}
