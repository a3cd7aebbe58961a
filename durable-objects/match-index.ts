import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { presenceFreshMs } from "../edge/presence.ts";
import type { InningsLine, MatchSummary } from "../protocol/admin-types.ts";
import type { MatchIndexRpc } from "./rpc.ts";

export type { MatchSummary } from "../protocol/admin-types.ts";

type Row = {
  match_id: string;
  seq: number;
  status: string;
  teams: string;
  title: string | null;
  updated_at: number;
  viewers: number;
  viewers_at: number;
  detail: string;
};

/**
 * The directory of known matches, one object for the deployment. Ledgers report to it
 * after their writes and the edge's presence reports, fire-and-forget: it is a read
 * convenience and never on the ingestion path. With a few hundred matches a day one object
 * is plenty; past that it would be sharded by date.
 *
 * Viewer counts are reports that expire: a count not refreshed for a few presence ticks
 * reads as 0, so a match whose rooms went away (closed, crashed, restarted) never keeps
 * "2 watching" on the list.
 */
export class MatchIndex extends DurableObject<Env> implements MatchIndexRpc {
  private readonly viewersFreshMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.viewersFreshMs = presenceFreshMs(readConfig(env).room.presenceIntervalMs);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS matches (
      match_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL,
      teams TEXT NOT NULL, title TEXT, updated_at INTEGER NOT NULL, viewers INTEGER NOT NULL DEFAULT 0,
      viewers_at INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '{}')`);
    // Local state from older versions lacks the later columns.
    const columns = new Set(
      ctx.storage.sql
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
      if (!columns.has(name)) ctx.storage.sql.exec(`ALTER TABLE matches ADD COLUMN ${name} ${type}`);
    }
  }

  /** Newer seqs win, so reports that arrive out of order cannot move a match backwards. */
  async upsert(summary: MatchSummary): Promise<void> {
    const now = Date.now();
    const detail: Detail = {
      innings: summary.innings,
      result: summary.result,
      lastEventTs: summary.lastEventTs,
    };
    this.ctx.storage.sql.exec(
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

  async has(matchId: string): Promise<boolean> {
    return (
      this.ctx.storage.sql.exec("SELECT 1 FROM matches WHERE match_id = ?", matchId).toArray().length > 0
    );
  }

  async remove(matchId: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM matches WHERE match_id = ?", matchId);
  }

  async list(): Promise<(MatchSummary & { updatedAt: number })[]> {
    const now = Date.now();
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM matches ORDER BY updated_at DESC LIMIT 500")
      .toArray()
      .map((r) => ({
        matchId: r.match_id,
        seq: r.seq,
        status: r.status,
        teams: parseTeams(r.teams),
        title: r.title,
        ...parseDetail(r.detail),
        viewers: now - r.viewers_at <= this.viewersFreshMs ? r.viewers : 0,
        updatedAt: r.updated_at,
      }));
  }
}

type Detail = Pick<MatchSummary, "innings" | "result" | "lastEventTs">;

function parseTeams(raw: string): string[] {
  const value: unknown = JSON.parse(raw);
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
}

/** A row is a boundary too: a detail written by an older version reads as "no detail". */
function parseDetail(raw: string): Detail {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = null;
  }
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const innings = Array.isArray(v.innings) ? v.innings.filter(isInningsLine) : [];
  return {
    innings,
    result: typeof v.result === "string" ? v.result : null,
    lastEventTs: typeof v.lastEventTs === "string" ? v.lastEventTs : null,
  };
}

function isInningsLine(x: unknown): x is InningsLine {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.team === "string" &&
    typeof r.runs === "number" &&
    typeof r.wickets === "number" &&
    typeof r.overs === "string"
  );
}
