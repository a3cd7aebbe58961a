/**
 * The match directory's SQLite: one row per known match (the `matches` table), with its
 * summary as the ledger last reported it and the viewers the edge last counted. Rows are
 * parsed on the way out (a row is a boundary too: a detail written by an older build reads
 * as "no detail"). Only the match index holds one; the ticker reads summaries through it.
 */
import { z } from "zod";
import type { MatchSummary } from "../protocol/admin-types.ts";

/** A line of the list: the summary and when the directory last heard of the match. */
export type ListedMatch = MatchSummary & { updatedAt: number };

/** What the ticker needs to build itself the first time: every match and where it stands. */
export interface DirectoryEntry {
  matchId: string;
  status: string;
  updatedAt: number;
}

const LIST_LIMIT = 500;

const rowSchema = z.object({
  match_id: z.string(),
  seq: z.number(),
  status: z.string(),
  teams: z.string(),
  title: z.string().nullable(),
  updated_at: z.number(),
  viewers: z.number(),
  viewers_at: z.number(),
  detail: z.string(),
});
type Row = z.infer<typeof rowSchema>;

const inningsLineSchema = z.object({
  team: z.string(),
  runs: z.number(),
  wickets: z.number(),
  overs: z.string(),
});

/** Field by field, each falling back on its own: one bad field does not cost the others. */
const detailSchema = z.object({
  innings: z
    .array(z.unknown())
    .catch([])
    .transform((lines) => lines.flatMap((l) => inningsLineSchema.safeParse(l).data ?? [])),
  result: z.string().nullable().catch(null),
  lastEventTs: z.string().nullable().catch(null),
  chase: z
    .object({
      target: z.number(),
      runsNeeded: z.number(),
      ballsRemaining: z.number().nullable().catch(null),
    })
    .nullable()
    .catch(null),
});
type Detail = z.infer<typeof detailSchema>;

const teamsSchema = z
  .array(z.unknown())
  .catch([])
  .transform((teams) => teams.filter((t): t is string => typeof t === "string"));

export class DirectoryStore {
  /**
   * @param viewersFreshMs a viewer count not refreshed within this reads as 0, so a match
   *   whose rooms went away never keeps "2 watching" on the list.
   */
  constructor(
    private readonly sql: SqlStorage,
    private readonly viewersFreshMs: number,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS matches (
      match_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL,
      teams TEXT NOT NULL, title TEXT, updated_at INTEGER NOT NULL, viewers INTEGER NOT NULL DEFAULT 0,
      viewers_at INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '{}')`);
    // Local state from older versions lacks the later columns.
    const columns = new Set(
      sql
        .exec<{ name: string }>("PRAGMA table_info(matches)")
        .toArray()
        .map((c) => c.name),
    );
    const added: [string, string][] = [
      ["viewers", "INTEGER NOT NULL DEFAULT 0"],
      ["viewers_at", "INTEGER NOT NULL DEFAULT 0"],
      ["detail", "TEXT NOT NULL DEFAULT '{}'"],
    ];
    for (const [name, type] of added) {
      if (!columns.has(name)) sql.exec(`ALTER TABLE matches ADD COLUMN ${name} ${type}`);
    }
  }

  /** Newer seqs win, so reports that arrive out of order cannot move a match backwards. */
  upsert(summary: MatchSummary, now: number): void {
    const detail: Detail = {
      innings: summary.innings,
      result: summary.result,
      lastEventTs: summary.lastEventTs,
      chase: summary.chase ?? null,
    };
    this.sql.exec(
      `INSERT INTO matches (match_id, seq, status, teams, title, updated_at, viewers, viewers_at, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(match_id) DO UPDATE SET seq = excluded.seq, status = excluded.status,
         teams = excluded.teams, title = excluded.title, updated_at = excluded.updated_at,
         viewers = excluded.viewers, viewers_at = excluded.viewers_at, detail = excluded.detail
       WHERE excluded.seq >= matches.seq`,
      summary.matchId,
      summary.seq,
      summary.status,
      JSON.stringify(summary.teams),
      summary.title,
      now,
      summary.viewers,
      now,
      JSON.stringify(detail),
    );
  }

  /** Whether a match exists: one primary-key lookup. */
  has(matchId: string): boolean {
    return this.sql.exec("SELECT 1 FROM matches WHERE match_id = ?", matchId).toArray().length > 0;
  }

  remove(matchId: string): void {
    this.sql.exec("DELETE FROM matches WHERE match_id = ?", matchId);
  }

  /** The most recently updated matches, newest first. */
  list(now: number): ListedMatch[] {
    return this.read(
      this.sql.exec("SELECT * FROM matches ORDER BY updated_at DESC LIMIT ?", LIST_LIMIT).toArray(),
      now,
    );
  }

  /** The summaries of these matches, by id; a match not in the directory is absent. */
  summaries(matchIds: readonly string[], now: number): Map<string, ListedMatch> {
    const found = new Map<string, ListedMatch>();
    for (const matchId of new Set(matchIds)) {
      const rows = this.sql.exec("SELECT * FROM matches WHERE match_id = ?", matchId).toArray();
      for (const summary of this.read(rows, now)) found.set(summary.matchId, summary);
    }
    return found;
  }

  /** Every match, with its status and when it was last updated (no limit). */
  entries(): DirectoryEntry[] {
    return this.sql
      .exec("SELECT match_id, status, updated_at FROM matches")
      .toArray()
      .flatMap((raw) => {
        const row = rowSchema.pick({ match_id: true, status: true, updated_at: true }).safeParse(raw);
        return row.success
          ? [{ matchId: row.data.match_id, status: row.data.status, updatedAt: row.data.updated_at }]
          : [];
      });
  }

  /** Rows to summaries; a row that does not parse is logged and left out, never cast. */
  private read(raws: readonly unknown[], now: number): ListedMatch[] {
    const out: ListedMatch[] = [];
    for (const raw of raws) {
      const row = rowSchema.safeParse(raw);
      if (row.success) out.push(this.summary(row.data, now));
      else console.error("unreadable directory row", JSON.stringify(raw), row.error.issues[0]?.message);
    }
    return out;
  }

  private summary(r: Row, now: number): ListedMatch {
    return {
      matchId: r.match_id,
      seq: r.seq,
      status: r.status,
      teams: teamsSchema.parse(parseJson(r.teams)),
      title: r.title,
      ...detailSchema.parse(objectOrEmpty(parseJson(r.detail))),
      viewers: now - r.viewers_at <= this.viewersFreshMs ? r.viewers : 0,
      updatedAt: r.updated_at,
    };
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function objectOrEmpty(value: unknown): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}
