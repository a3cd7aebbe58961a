import { continuousChain } from "../protocol/continuity.ts";
import type { PatchOperation } from "../protocol/live-messages.ts";
import type { PublishedPatch } from "../protocol/publication.ts";
import type { TreeNodeStore } from "./tree-node-store.ts";

/**
 * A match room's stream in its SQLite: the version it holds (its consumer offset, which must
 * survive hibernation) and the ring of recent patches for resumes. None of it is match state:
 * the ledger owns that; this is a cache the room can always rebuild.
 */
export class VersionRing {
  constructor(
    private readonly sql: SqlStorage,
    private readonly node: TreeNodeStore,
    readonly ringSize: number,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS ring (seq INTEGER PRIMARY KEY, prev INTEGER NOT NULL, ops TEXT NOT NULL, delta TEXT NOT NULL)",
    );
    // The ring is a cache: one written before fossil deltas existed is simply started afresh.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(ring)").toArray();
    if (!columns.some((c) => c.name === "delta")) {
      sql.exec(
        "DROP TABLE ring; CREATE TABLE ring (seq INTEGER PRIMARY KEY, prev INTEGER NOT NULL, ops TEXT NOT NULL, delta TEXT NOT NULL)",
      );
    }
  }

  /** The version this room holds: epoch and seq (0 before the first). */
  head(): { epoch: string | null; seq: number } {
    return { epoch: this.node.get("epoch"), seq: Number(this.node.get("seq") ?? 0) };
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
    this.node.set("seq", entry.seq);
  }

  /** A new history (another epoch, or a state the ring cannot reach): the ring starts over. */
  reset(epoch: string, seq: number): void {
    this.sql.exec("DELETE FROM ring");
    this.node.set("epoch", epoch);
    this.node.set("seq", seq);
  }

  /** The ring's patches from `since` to the head, or null when the ring does not reach back that far. */
  since(since: number): PublishedPatch[] | null {
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
}
