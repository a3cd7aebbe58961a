/**
 * A ticker room's stream in its SQLite: the ticker position it holds (its consumer offset, which
 * must survive hibernation), every headline at that position, and the ring of recent changes for
 * resumes. A cache the room can always rebuild from the match index, which owns the ticker.
 * Positions are `{epoch, seq}`, on the wire as inside (protocol/ticker.ts).
 */
import { entriesSince } from "../edge/ticker-stream.ts";
import { type Headline, parseTickerEntry, type TickerEntry } from "../protocol/ticker.ts";
import type { TreeNodeStore } from "./tree-node-store.ts";

export class HeadlineStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly node: TreeNodeStore,
    readonly ringSize: number,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS headlines (match_id TEXT PRIMARY KEY, headline TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ticker_ring (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);
    `);
  }

  /** The position held (epoch null before the first list). Rooms written before `seq` kept it as `version`. */
  head(): { epoch: string | null; seq: number } {
    return {
      epoch: this.node.get("epoch"),
      seq: Number(this.node.get("seq") ?? this.node.get("version") ?? 0),
    };
  }

  hasState(): boolean {
    return this.node.get("epoch") !== null;
  }

  /** Stored rows are a boundary too, but only this class writes them, from parsed headlines. */
  headlines(): Headline[] {
    return this.sql
      .exec<{ headline: string }>("SELECT headline FROM headlines ORDER BY match_id")
      .toArray()
      .map((r) => JSON.parse(r.headline) as Headline);
  }

  /** Every headline of a position: the ring starts over. */
  replace(epoch: string, seq: number, headlines: readonly Headline[]): void {
    this.sql.exec("DELETE FROM headlines");
    this.sql.exec("DELETE FROM ticker_ring");
    for (const h of headlines)
      this.sql.exec("INSERT INTO headlines (match_id, headline) VALUES (?, ?)", h.matchId, JSON.stringify(h));
    this.node.set("epoch", epoch);
    this.node.set("seq", seq);
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
        "INSERT OR REPLACE INTO ticker_ring (seq, entry) VALUES (?, ?)",
        entry.seq,
        JSON.stringify(entry),
      );
    }
    this.sql.exec(
      "DELETE FROM ticker_ring WHERE seq NOT IN (SELECT seq FROM ticker_ring ORDER BY seq DESC LIMIT ?)",
      this.ringSize,
    );
    const last = entries.at(-1);
    if (last) this.node.set("seq", last.seq);
  }

  /** The ring's changes from `since` to the head (the same chain rule as every replay), or null when it does not reach. */
  since(since: number): TickerEntry[] | null {
    const rows = this.sql
      .exec<{ entry: string }>("SELECT entry FROM ticker_ring WHERE seq > ? ORDER BY seq", since)
      .toArray()
      .flatMap((r) => parseTickerEntry(JSON.parse(r.entry)) ?? []);
    return entriesSince(since, this.head().seq, rows);
  }
}
