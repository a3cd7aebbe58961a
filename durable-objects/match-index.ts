import { DurableObject } from "cloudflare:workers";
import type { MatchSummary } from "../protocol/admin-types.ts";

export type { MatchSummary } from "../protocol/admin-types.ts";

/**
 * The directory of known matches, one object for the deployment. Ledgers report to it
 * after their writes, fire-and-forget: it is a read convenience and never on the
 * ingestion path. With a few hundred matches a day one object is plenty; past that
 * it would be sharded by date.
 */
export class MatchIndex extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS matches (
      match_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL,
      teams TEXT NOT NULL, title TEXT, updated_at INTEGER NOT NULL, viewers INTEGER NOT NULL DEFAULT 0)`);
    // Local state from before viewer counts existed lacks the column.
    const columns = ctx.storage.sql.exec<{ name: string }>("PRAGMA table_info(matches)").toArray();
    if (!columns.some((c) => c.name === "viewers")) {
      ctx.storage.sql.exec("ALTER TABLE matches ADD COLUMN viewers INTEGER NOT NULL DEFAULT 0");
    }
  }

  /** Newer seqs win, so reports that arrive out of order cannot move a match backwards. */
  async upsert(summary: MatchSummary): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO matches (match_id, seq, status, teams, title, updated_at, viewers) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(match_id) DO UPDATE SET seq = excluded.seq, status = excluded.status,
         teams = excluded.teams, title = excluded.title, updated_at = excluded.updated_at,
         viewers = excluded.viewers
       WHERE excluded.seq >= matches.seq`,
      summary.matchId,
      summary.seq,
      summary.status,
      JSON.stringify(summary.teams),
      summary.title,
      Date.now(),
      summary.viewers,
    );
  }

  async list(): Promise<(MatchSummary & { updatedAt: number })[]> {
    return this.ctx.storage.sql
      .exec<{
        match_id: string;
        seq: number;
        status: string;
        teams: string;
        title: string | null;
        updated_at: number;
        viewers: number;
      }>("SELECT * FROM matches ORDER BY updated_at DESC LIMIT 500")
      .toArray()
      .map((r) => ({
        matchId: r.match_id,
        seq: r.seq,
        status: r.status,
        teams: parseTeams(r.teams),
        title: r.title,
        viewers: r.viewers,
        updatedAt: r.updated_at,
      }));
  }
}

function parseTeams(raw: string): string[] {
  const value: unknown = JSON.parse(raw);
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
}
