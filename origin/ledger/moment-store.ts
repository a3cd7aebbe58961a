import { parseMoment } from "../../protocol/moments.ts";
import {
  apply,
  type MatchState,
  type Moment,
  type MomentStamp,
  MomentTracker,
  type ProviderEvent,
} from "../../scoring/index.ts";

/** The most moments one `GET …/moments` page holds (a seq's moments are never split, see `after`). */
export const MOMENTS_PAGE_LIMIT = 500;

/**
 * A match's announced moments, in the ledger's SQLite: every moment and retraction in the order
 * it was announced, which is what `GET /v1/matches/:id/moments`, the rooms and partner webhooks
 * are given. The table is the announcements' log, not a cache: an engine upgrade keeps it, so
 * an id once announced stays announced, and each write announces only what differs from it.
 */
export class MomentStore {
  /** The moments standing (announced, not retracted), read once from the table per instance. */
  private tracker: MomentTracker | null = null;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS moments (
        pos INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS moments_by_seq ON moments (seq, pos);
    `);
    // The outbox flag. Rows written before it existed were announced the old way: they count as sent.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(moments)").toArray();
    if (!columns.some((c) => c.name === "announced"))
      sql.exec("ALTER TABLE moments ADD COLUMN announced INTEGER NOT NULL DEFAULT 1");
    sql.exec("CREATE INDEX IF NOT EXISTS moments_outbox ON moments (pos) WHERE announced = 0");
  }

  /**
   * The outbox: moments committed but not yet handed to the moments queue, oldest first, at most
   * `limit`. A moment leaves it only once `sendBatch` has succeeded (`markAnnounced`), so a crash
   * or a queue error in between sends it again: partners get every moment at least once.
   */
  unannounced(limit: number): { pos: number; moment: Moment }[] {
    return this.sql
      .exec<{ pos: number; body: string }>(
        "SELECT pos, body FROM moments WHERE announced = 0 ORDER BY pos LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ pos: r.pos, moment: readMoment(r.body) }));
  }

  /** Whether the outbox holds anything. */
  hasUnannounced(): boolean {
    return this.sql.exec("SELECT 1 FROM moments WHERE announced = 0 LIMIT 1").toArray().length > 0;
  }

  /** The queue took every outbox moment up to `pos`. */
  markAnnounced(pos: number): void {
    this.sql.exec("UPDATE moments SET announced = 1 WHERE announced = 0 AND pos <= ?", pos);
  }

  /**
   * Runs inside a write's transaction: announces what the events applied by this write made
   * true or took back, each with the seq and ts of the event that did it, and stores them.
   * `applied` are the events the write applied after `before.seq` (dead letters left out). They
   * are walked again from `before.state`, all but the last, whose state is `after` itself: so a
   * write of one event (the live case) applies nothing twice, and when a late event rewrote
   * history before `before.seq`, the last step still compares with the state as it now is.
   * A write that moved nothing forward (a late event filling a skipped gap) announces its
   * changes at the cursor.
   */
  record(
    matchId: string,
    before: { seq: number; state: MatchState },
    after: MatchState,
    cursor: number,
    applied: readonly ProviderEvent[],
  ): Moment[] {
    try {
      const tracker = this.standing();
      const out: Moment[] = [];
      let state = before.state;
      for (const event of applied.slice(0, -1)) {
        try {
          state = apply(state, event);
        } catch {
          continue; // refused again by the engine, as the sequencer found: nothing to announce
        }
        out.push(...tracker.step(state, stampOf(event)));
      }
      const last = applied.at(-1);
      const at: MomentStamp = last
        ? stampOf(last)
        : { matchId, seq: cursor, ts: after.lastEventTs ?? new Date(0).toISOString() };
      out.push(...tracker.step(after, at));
      for (const m of out) this.insert(m);
      return out;
    } catch (error) {
      // Moments are derived: a fault here must never fail ingest. The standing set is read
      // again from the table next time, and the next write announces what this one missed.
      this.tracker = null;
      console.error("moments not recorded", matchId, String(error));
      return [];
    }
  }

  /**
   * The moments with seq > `after`, in the order announced, at most `limit`, except that the
   * moments of one seq are never split across pages: a reader that asks again with the last
   * seq it got misses nothing.
   */
  after(after: number, limit = MOMENTS_PAGE_LIMIT): Moment[] {
    const rows = this.sql
      .exec<{ pos: number; seq: number; body: string }>(
        "SELECT pos, seq, body FROM moments WHERE seq > ? ORDER BY seq, pos LIMIT ?",
        after,
        limit,
      )
      .toArray();
    const last = rows.at(-1);
    if (rows.length === limit && last !== undefined) {
      rows.push(
        ...this.sql
          .exec<{ pos: number; seq: number; body: string }>(
            "SELECT pos, seq, body FROM moments WHERE seq = ? AND pos > ? ORDER BY pos",
            last.seq,
            last.pos,
          )
          .toArray(),
      );
    }
    return rows.map((r) => readMoment(r.body));
  }

  /** After a transaction that rolled back: what stands is read from the table again. */
  forgetStanding(): void {
    this.tracker = null;
  }

  private standing(): MomentTracker {
    if (this.tracker === null) {
      const all = this.sql
        .exec<{ body: string }>("SELECT body FROM moments ORDER BY pos")
        .toArray()
        .map((r) => readMoment(r.body));
      const gone = new Set(all.flatMap((m) => (m.kind === "retraction" ? [m.retracts] : [])));
      this.tracker = new MomentTracker(all.filter((m) => !gone.has(m.id)));
    }
    return this.tracker;
  }

  private insert(m: Moment): void {
    this.sql.exec(
      "INSERT INTO moments (seq, id, kind, body, announced) VALUES (?, ?, ?, ?, 0)",
      m.seq,
      m.id,
      m.kind,
      JSON.stringify(m),
    );
  }
}

function stampOf(event: ProviderEvent): MomentStamp {
  return { matchId: event.matchId, seq: event.seq, ts: event.ts };
}

/** A stored row is a boundary too. */
function readMoment(body: string): Moment {
  const parsed = parseMoment(JSON.parse(body));
  if (!parsed.ok) throw new Error(`stored moment no longer matches the moment schema: ${parsed.reason}`);
  return parsed.moment;
}
