/**
 * The ticker's source of truth, kept by the match index in its own SQLite: per match, the
 * headline that last went out and when, whether a newer one waits (coalescing), and since
 * when it is finished; a numbered log of recent changes (the ticker's positions, for rooms that
 * missed some and for viewers resuming). The decisions are edge/ticker-*.ts's; this class
 * stores and numbers. It never reads the directory's table: the index hands it the summaries
 * a flush needs (`plan`, then `flush`).
 */
import * as z from "zod/mini";
import type { CreaseConfig } from "../config/crease-config.ts";
import { planFlush } from "../edge/ticker-coalesce.ts";
import { headlineOf, onTicker, sameHeadline } from "../edge/ticker-headline.ts";
import { entriesSince } from "../edge/ticker-stream.ts";
import { isPrivateMatch } from "../edge/viewer-token.ts";
import type { MatchSummary } from "../protocol/admin-types.ts";
import {
  type Headline,
  headlineSchema,
  parseTickerEntry,
  type TickerEntry,
  type TickerPublication,
} from "../protocol/ticker.ts";
import type { DirectoryEntry } from "./directory-store.ts";

const rowSchema = z.object({
  match_id: z.string(),
  headline: z.nullable(z.string()),
  sent_at: z.nullable(z.number()),
  pending: z.number(),
  finished_at: z.nullable(z.number()),
});
type Row = z.infer<typeof rowSchema>;

/**
 * What a flush looks at: the matches whose headline may change now (their interval has
 * passed with a change waiting, or their time on the ticker is up), and when the next of the
 * others falls due. The caller fetches `matchIds`' summaries and hands them to `flush`.
 */
export interface TickerPlan {
  readonly matchIds: string[];
  readonly rows: readonly Row[];
  readonly nextAt: number | null;
}

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
    `);
  }

  /** Whether the ticker has its history id yet (a directory that predates the ticker has none). */
  started(): boolean {
    return this.meta("epoch") !== null;
  }

  /**
   * Makes the ticker's history id, once. Every match listed so far waits to go out (finished
   * ones as finished when last updated), so the first flush builds the ticker.
   */
  start(listed: readonly DirectoryEntry[]): void {
    if (this.started()) return;
    this.setMeta("epoch", crypto.randomUUID().replaceAll("-", "").slice(0, 12));
    this.setMeta("version", "0");
    for (const match of listed) {
      if (isPrivateMatch(this.privateMatches, match.matchId)) continue;
      this.sql.exec(
        "INSERT OR IGNORE INTO ticker_matches (match_id, pending, finished_at) VALUES (?, 1, ?)",
        match.matchId,
        match.status === "finished" ? match.updatedAt : null,
      );
    }
  }

  epoch(): string {
    return this.meta("epoch") ?? "0";
  }

  /** The ticker's position (stored under the key `version`, its name before the wire said `seq`). */
  seq(): number {
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
   * Which matches a flush at `now` must look at: every match, or only `only` (after a write
   * only its match can have become due: one row, not every match's, per event).
   */
  plan(now: number, only?: string): TickerPlan {
    const rows = this.rows(only);
    const coalesced = planFlush(
      rows.map((r) => ({ matchId: r.match_id, sentAt: r.sent_at, pending: r.pending === 1 })),
      now,
      this.config.minIntervalMs,
    );
    const due = new Set(coalesced.due);
    const look: Row[] = [];
    let nextAt = coalesced.nextAt;
    for (const row of rows) {
      const expiresAt = this.expiresAt(row);
      if (due.has(row.match_id) || (row.headline !== null && expiresAt !== null && expiresAt <= now)) {
        look.push(row);
      } else if (row.headline !== null && expiresAt !== null) {
        nextAt = Math.min(nextAt ?? expiresAt, expiresAt);
      }
    }
    return { matchIds: look.map((r) => r.match_id), rows: look, nextAt };
  }

  /**
   * Sends what the plan found due, from the newest summaries (changes in between were
   * merged): a new headline, or the match leaving the ticker (finished long enough ago, gone
   * from the directory, private). Returns the numbered changes and when the next falls due.
   */
  flush(
    plan: TickerPlan,
    summaries: ReadonlyMap<string, MatchSummary>,
    now: number,
  ): { entries: TickerEntry[]; nextAt: number | null } {
    const entries: TickerEntry[] = [];
    let nextAt = plan.nextAt;
    for (const row of plan.rows) {
      const expiresAt = this.expiresAt(row);
      const summary = summaries.get(row.match_id) ?? null;
      const listed =
        summary !== null &&
        !isPrivateMatch(this.privateMatches, row.match_id) &&
        onTicker(summary.status, row.finished_at, now, this.config.finishedForMs);
      const next = listed ? headlineOf(summary) : null;
      const held = readHeadline(row.headline);
      if (next && expiresAt !== null) nextAt = Math.min(nextAt ?? expiresAt, expiresAt);
      if (sameHeadline(held, next) || (held === null && next === null)) {
        // Nothing the ticker shows changed: no new position, and the interval is not spent.
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
      .exec("SELECT match_id, headline FROM ticker_matches WHERE headline IS NOT NULL ORDER BY match_id")
      .toArray()
      .filter((r) => typeof r.match_id === "string" && !isPrivateMatch(this.privateMatches, r.match_id))
      .flatMap((r) => readHeadline(r.headline) ?? []);
    return { kind: "full", epoch: this.epoch(), seq: this.seq(), headlines };
  }

  /** The changes after `since` when the log reaches back to it in this history, else every headline. */
  since(epoch: string | null, since: number): TickerPublication {
    const head = this.seq();
    if (epoch === this.epoch() && since <= head) {
      // An entry that no longer parses breaks the chain, and the answer is every headline.
      const log = this.sql
        .exec("SELECT entry FROM ticker_log WHERE version > ? ORDER BY version", since)
        .toArray()
        .flatMap((r) => readEntry(r.entry) ?? []);
      const entries = entriesSince(since, head, log);
      if (entries) return { kind: "changes", epoch: this.epoch(), entries };
    }
    return this.full();
  }

  // ---------------------------------------------------------------------------------------

  /** Gives a change the next seq and keeps it in the log (the oldest beyond the ring dropped). */
  private number(
    change: { kind: "headline"; headline: Headline } | { kind: "unlisted"; matchId: string },
  ): TickerEntry {
    const prev = this.seq();
    const seq = prev + 1;
    const entry: TickerEntry = { ...change, seq, prev };
    this.sql.exec(
      "INSERT OR REPLACE INTO ticker_log (version, entry) VALUES (?, ?)",
      seq,
      JSON.stringify(entry),
    );
    this.sql.exec("DELETE FROM ticker_log WHERE version <= ?", seq - this.config.ringSize);
    this.setMeta("version", String(seq));
    return entry;
  }

  /** When a finished match leaves the ticker; null while it is not finished. */
  private expiresAt(row: Row): number | null {
    return row.finished_at === null ? null : row.finished_at + this.config.finishedForMs;
  }

  private rows(only?: string): Row[] {
    const raws =
      only === undefined
        ? this.sql.exec("SELECT * FROM ticker_matches").toArray()
        : this.sql.exec("SELECT * FROM ticker_matches WHERE match_id = ?", only).toArray();
    return raws.flatMap((raw) => {
      const row = rowSchema.safeParse(raw);
      if (row.success) return [row.data];
      console.error("unreadable ticker row", JSON.stringify(raw));
      return [];
    });
  }

  private row(matchId: string): Row | null {
    return this.rows(matchId)[0] ?? null;
  }

  private meta(key: string): string | null {
    const value = this.sql.exec("SELECT value FROM ticker_meta WHERE key = ?", key).toArray()[0]?.value;
    return typeof value === "string" ? value : null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO ticker_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}

/** A stored headline, parsed again: one that no longer matches the schema reads as none held. */
function readHeadline(raw: unknown): Headline | null {
  if (typeof raw !== "string") return null;
  const parsed = headlineSchema.safeParse(parseJson(raw));
  return parsed.success ? parsed.data : null;
}

function readEntry(raw: unknown): TickerEntry | null {
  return typeof raw === "string" ? parseTickerEntry(parseJson(raw)) : null;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
