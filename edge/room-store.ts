import { continuousChain } from "../protocol/continuity.ts";
import type { PatchOperation } from "../protocol/live-messages.ts";
import type { PublishedPatch } from "../protocol/publication.ts";

export interface RoomIdentity {
  matchId: string;
  region: string;
  shard: number;
}

/**
 * A room's own SQLite: who it is, the version it holds (its consumer offset, which must
 * survive hibernation), the ring of recent patches for resumes, and its child shards. None
 * of it is match state: the ledger owns that; this is a cache the room can always rebuild.
 */
export class RoomStore {
  constructor(
    private readonly sql: SqlStorage,
    readonly ringSize: number,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ring (
        seq INTEGER PRIMARY KEY, prev INTEGER NOT NULL, ops TEXT NOT NULL, delta TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS children (
        shard INTEGER PRIMARY KEY, viewers INTEGER NOT NULL, reported_at INTEGER NOT NULL);
    `);
    // The ring is a cache: one written before fossil deltas existed is simply started afresh.
    if (
      !sql
        .exec<{ name: string }>("PRAGMA table_info(ring)")
        .toArray()
        .some((c) => c.name === "delta")
    ) {
      sql.exec(
        "DROP TABLE ring; CREATE TABLE ring (seq INTEGER PRIMARY KEY, prev INTEGER NOT NULL, ops TEXT NOT NULL, delta TEXT NOT NULL)",
      );
    }
  }

  identity(): RoomIdentity | null {
    const matchId = this.get("matchId");
    const region = this.get("region");
    const shard = this.get("shard");
    return matchId && region && shard !== null ? { matchId, region, shard: Number(shard) } : null;
  }

  setIdentity(id: RoomIdentity): void {
    this.set("matchId", id.matchId);
    this.set("region", id.region);
    this.set("shard", String(id.shard));
  }

  /** The version this room holds: epoch and seq (0 before the first). */
  head(): { epoch: string | null; seq: number } {
    return { epoch: this.get("epoch"), seq: Number(this.get("seq") ?? 0) };
  }

  /** A new version: appended to the ring (oldest dropped) and made the head, in one go. */
  advance(entry: PublishedPatch): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO ring (seq, prev, ops, delta) VALUES (?, ?, ?, ?)",
      entry.seq,
      entry.prev,
      JSON.stringify(entry.ops),
      entry.delta,
    );
    this.sql.exec(
      "DELETE FROM ring WHERE seq NOT IN (SELECT seq FROM ring ORDER BY seq DESC LIMIT ?)",
      this.ringSize,
    );
    this.set("seq", String(entry.seq));
  }

  /** A new history (another epoch, or a state the ring cannot reach): the ring starts over. */
  reset(epoch: string, seq: number): void {
    this.sql.exec("DELETE FROM ring");
    this.set("epoch", epoch);
    this.set("seq", String(seq));
  }

  /** The ring's patches from `since` to the head, or null when the ring does not reach back that far. */
  ringSince(since: number): PublishedPatch[] | null {
    const { seq: head } = this.head();
    if (since === head) return [];
    if (since > head) return null;
    const rows = this.sql
      .exec<{ seq: number; prev: number; ops: string; delta: string }>(
        "SELECT seq, prev, ops, delta FROM ring WHERE seq > ? ORDER BY seq",
        since,
      )
      .toArray();
    const chain = continuousChain(since, head, rows);
    return chain?.map((row) => ({ ...row, ops: JSON.parse(row.ops) as PatchOperation[] })) ?? null;
  }

  // --- child shards in the publication tree -------------------------------------------

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

  get(key: string): string | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? row.value : null;
  }

  set(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}
