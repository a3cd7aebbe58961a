import jsonPatch from "fast-json-patch";
import { SnapshotCache } from "../edge/snapshot-cache.ts";
import { continuousChain } from "../protocol/continuity.ts";
import { snapshotFrame } from "../protocol/frames.ts";
import type { JsonValue, PatchOperation } from "../protocol/live-messages.ts";
import type { PublishedPatch } from "../protocol/publication.ts";
import type { TreeNodeStore } from "./tree-node-store.ts";

/**
 * What a match room holds of its match: in its SQLite, the version it holds (its consumer offset,
 * which must survive hibernation) and the ring of recent patches for resumes; in memory, the state
 * at that version when known (null after hibernation until a viewer needs it) and its snapshot,
 * serialised (and gzipped) once however many viewers join at it. None of it is match state: the
 * ledger owns that; this is a cache the room can always rebuild.
 */
export class VersionRing {
  /** The state at the head version, or null until it is read again from the ledger. */
  state: JsonValue | null = null;
  private readonly snapshots = new SnapshotCache();

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

  /** A new version: into the ring, made the head, applied to the state when held. */
  accept(entry: PublishedPatch): void {
    this.advance(entry);
    if (this.state === null) return;
    try {
      this.state = jsonPatch.applyPatch(this.state, entry.ops, false, false).newDocument as JsonValue;
    } catch {
      this.state = null; // read again when a viewer needs a snapshot
    }
  }

  /** A new history (or a state the ring cannot reach): the whole state at `seq`. */
  resetTo(epoch: string, seq: number, state: JsonValue | null): void {
    this.reset(epoch, seq);
    this.state = state;
  }

  /** The head's snapshot frame, text or gzipped: built once per version, whoever asks. */
  snapshot(matchId: string, gzip: boolean): string | Promise<Uint8Array> {
    const head = this.head();
    // A match with no events yet has no history: an empty one at version 0.
    const epoch = head.epoch ?? "0";
    const [state, key] = [this.state, `${epoch}:${head.seq}`];
    const build = () => snapshotFrame(matchId, epoch, head.seq, state);
    return gzip ? this.snapshots.gzip(key, build) : this.snapshots.text(key, build);
  }

  /** Appended to the ring (oldest dropped) and made the head, in one go. */
  private advance(entry: PublishedPatch): void {
    this.snapshots.clear();
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

  /** Another history, its state unknown: the ring starts over. */
  reset(epoch: string, seq: number): void {
    this.snapshots.clear();
    this.state = null;
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
