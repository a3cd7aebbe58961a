/**
 * A room's place in its publication tree, in the room's own SQLite: a small key-value meta
 * (who it is, the position it holds) and its child shards with their last report. Every feed's
 * room composes it (durable-objects/fanout-room.ts); what a feed holds beyond it (a match's
 * ring of patches, the ticker's headlines) lives in a store of its own on the same database.
 */
export interface ChildShard {
  shard: number;
  viewers: number;
  reportedAt: number;
}

export class TreeNodeStore {
  /**
   * The meta rows as read or written: a room asks for its identity on every join and every
   * publication, and only this store writes them, so one SELECT per key per wake-up is enough.
   */
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS children (
        shard INTEGER PRIMARY KEY, viewers INTEGER NOT NULL, reported_at INTEGER NOT NULL);
    `);
  }

  /** The room's place in its tree, once it has been told. */
  position(): { region: string; shard: number } | null {
    const [region, shard] = [this.get("region"), this.get("shard")];
    return region && shard !== null ? { region, shard: Number(shard) } : null;
  }

  setPosition(position: { region: string; shard: number }): void {
    this.set("region", position.region);
    this.set("shard", position.shard);
  }

  get(key: string): string | null {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    const value = row ? row.value : null;
    this.cache.set(key, value);
    return value;
  }

  set(key: string, value: string | number): void {
    this.cache.set(key, String(value));
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      String(value),
    );
  }

  /** After the room's storage was deleted: nothing read before holds. */
  forget(): void {
    this.cache.clear();
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

  children(): ChildShard[] {
    return this.sql
      .exec<{ shard: number; viewers: number; reported_at: number }>(
        "SELECT shard, viewers, reported_at FROM children ORDER BY shard",
      )
      .toArray()
      .map((r) => ({ shard: r.shard, viewers: r.viewers, reportedAt: r.reported_at }));
  }
}
