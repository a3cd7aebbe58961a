/**
 * A ticker room's own SQLite: who it is, the ticker version it holds (its consumer offset,
 * which must survive hibernation), every headline at that version, the ring of recent
 * changes for resumes, and its child shards. A cache the room can always rebuild from the
 * match index, which owns the ticker.
 */
import type { Headline, TickerEntry } from "../protocol/ticker.ts";
import type { TickerHead } from "./ticker-stream.ts";

export interface TickerIdentity {
  region: string;
  shard: number;
}

export class TickerStore {
  constructor(
    private readonly sql: SqlStorage,
    readonly ringSize: number,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS headlines (match_id TEXT PRIMARY KEY, headline TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ring (version INTEGER PRIMARY KEY, entry TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS children (shard INTEGER PRIMARY KEY, viewers INTEGER NOT NULL, reported_at INTEGER NOT NULL);
    `);
  }

  identity(): TickerIdentity | null {
    const region = this.get("region");
    const shard = this.get("shard");
    return region && shard !== null ? { region, shard: Number(shard) } : null;
  }

  setIdentity(id: TickerIdentity): void {
    this.set("region", id.region);
    this.set("shard", String(id.shard));
  }

  head(): TickerHead {
    return { epoch: this.get("epoch"), version: Number(this.get("version") ?? 0) };
  }

  hasState(): boolean {
    return this.get("epoch") !== null;
  }

  /** Stored rows are a boundary too, but only this class writes them, from parsed headlines. */
  headlines(): Headline[] {
    return this.sql
      .exec<{ headline: string }>("SELECT headline FROM headlines ORDER BY match_id")
      .toArray()
      .map((r) => JSON.parse(r.headline) as Headline);
  }

  /** Every headline of a version: the ring starts over. */
  replace(epoch: string, version: number, headlines: readonly Headline[]): void {
    this.sql.exec("DELETE FROM headlines");
    this.sql.exec("DELETE FROM ring");
    for (const h of headlines)
      this.sql.exec("INSERT INTO headlines (match_id, headline) VALUES (?, ?)", h.matchId, JSON.stringify(h));
    this.set("epoch", epoch);
    this.set("version", String(version));
  }

  /** Changes that continue the head (checked by the caller): applied, kept in the ring, made the head. */
  advance(entries: readonly TickerEntry[]): void {
    for (const entry of entries) {
      if (entry.kind === "headline")
        this.sql.exec(
          "INSERT OR REPLACE INTO headlines (match_id, headline) VALUES (?, ?)",
          entry.headline.matchId,
          JSON.stringify(entry.headline),
        );
      else this.sql.exec("DELETE FROM headlines WHERE match_id = ?", entry.matchId);
      this.sql.exec(
        "INSERT OR REPLACE INTO ring (version, entry) VALUES (?, ?)",
        entry.version,
        JSON.stringify(entry),
      );
    }
    this.sql.exec(
      "DELETE FROM ring WHERE version NOT IN (SELECT version FROM ring ORDER BY version DESC LIMIT ?)",
      this.ringSize,
    );
    const last = entries.at(-1);
    if (last) this.set("version", String(last.version));
  }

  /** The ring, oldest first. */
  ring(): TickerEntry[] {
    return this.sql
      .exec<{ entry: string }>("SELECT entry FROM ring ORDER BY version")
      .toArray()
      .map((r) => JSON.parse(r.entry) as TickerEntry);
  }

  putChild(shard: number, viewers: number, at: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO children (shard, viewers, reported_at) VALUES (?, ?, ?)",
      shard,
      viewers,
      at,
    );
  }

  removeChild(shard: number): void {
    this.sql.exec("DELETE FROM children WHERE shard = ?", shard);
  }

  children(): { shard: number; viewers: number; reportedAt: number }[] {
    return this.sql
      .exec<{ shard: number; viewers: number; reported_at: number }>(
        "SELECT shard, viewers, reported_at FROM children ORDER BY shard",
      )
      .toArray()
      .map((r) => ({ shard: r.shard, viewers: r.viewers, reportedAt: r.reported_at }));
  }

  private get(key: string): string | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? row.value : null;
  }

  private set(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}
