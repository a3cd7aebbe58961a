import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { RECENT_ATTEMPTS, recentStats } from "../origin/webhooks/delivery-stats.ts";
import type { Subscriber } from "../origin/webhooks/endpoint-filter.ts";
import { afterAttempt } from "../origin/webhooks/endpoint-health.ts";
import { newEndpointId, newSigningSecret } from "../origin/webhooks/endpoint-secret.ts";
import { redactedUrl } from "../origin/webhooks/endpoint-url.ts";
import { MOMENT_KINDS } from "../protocol/moments.ts";
import {
  type CreateEndpoint,
  type DeadDeliveryMessage,
  type EndpointDetail,
  type EndpointView,
  momentSchema,
  type QueuedMoment,
  type WebhookDeadLetter,
} from "../protocol/webhooks.ts";
import type { AttemptReport, DeliveryTarget, WebhookRegistryRpc } from "../rpc/webhook-registry.ts";

type Row = Record<string, SqlStorageValue>;

/** A stored row, parsed on read (a row written by an older deploy must not be half-used). */
const endpointRow = z.object({
  id: z.string(),
  url: z.string(),
  kinds: z.string().nullable(),
  matches: z.string().nullable(),
  status: z.enum(["active", "paused"]),
  paused_reason: z.string().nullable(),
  secret: z.string(),
  previous_secret: z.string().nullable(),
  previous_until: z.number().nullable(),
  created_at: z.number(),
  attempts: z.number(),
  successes: z.number(),
  failures: z.number(),
  last_error: z.string().nullable(),
  last_error_at: z.number().nullable(),
  last_success_at: z.number().nullable(),
  failing_since: z.number().nullable(),
});
type EndpointRow = z.infer<typeof endpointRow>;

const kindsColumn = z.array(z.enum(MOMENT_KINDS)).nullable();
const matchesColumn = z.array(z.string()).nullable();
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The partner webhook registry: one object for the deployment, on SQLite. It holds each
 * endpoint (URL, filters, secret, status), its delivery counters and recent attempts, and its
 * dead letters. A thin shell: filtering, the pause rule and the stats are origin/webhooks/.
 * It is never on the ingest path: only the queue consumers and the admin routes call it.
 */
export class WebhookRegistry extends DurableObject<Env> implements WebhookRegistryRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS endpoints (
        id TEXT PRIMARY KEY, url TEXT NOT NULL, kinds TEXT, matches TEXT,
        status TEXT NOT NULL, paused_reason TEXT,
        secret TEXT NOT NULL, previous_secret TEXT, previous_until INTEGER,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, successes INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, last_error_at INTEGER, last_success_at INTEGER, failing_since INTEGER);
      CREATE TABLE IF NOT EXISTS attempts (
        endpoint_id TEXT NOT NULL, at INTEGER NOT NULL, ok INTEGER NOT NULL, latency_ms INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS attempts_by_endpoint ON attempts (endpoint_id, at);
      CREATE TABLE IF NOT EXISTS dead_letters (
        endpoint_id TEXT NOT NULL, moment_id TEXT NOT NULL, moment TEXT NOT NULL,
        reason TEXT NOT NULL, attempts INTEGER, last_error TEXT,
        dead_at INTEGER NOT NULL, replayed_at INTEGER,
        PRIMARY KEY (endpoint_id, moment_id));
    `);
  }

  async create(input: CreateEndpoint, now: number): Promise<{ id: string; secret: string }> {
    const id = newEndpointId();
    const secret = newSigningSecret();
    this.ctx.storage.sql.exec(
      `INSERT INTO endpoints (id, url, kinds, matches, status, secret, created_at)
       VALUES (?, ?, ?, ?, 'active', ?, ?)`,
      id,
      input.url,
      input.kinds ? JSON.stringify(input.kinds) : null,
      input.matches ? JSON.stringify(input.matches) : null,
      secret,
      now,
    );
    return { id, secret };
  }

  async list(): Promise<EndpointView[]> {
    return this.rows().map((row) => view(row));
  }

  async get(id: string): Promise<EndpointDetail | null> {
    const row = this.row(id);
    if (!row) return null;
    const recent = this.ctx.storage.sql
      .exec<{ at: number; ok: number; latency_ms: number }>(
        "SELECT at, ok, latency_ms FROM attempts WHERE endpoint_id = ? ORDER BY at DESC LIMIT ?",
        id,
        RECENT_ATTEMPTS,
      )
      .toArray()
      .map((a) => ({ at: a.at, ok: a.ok === 1, latencyMs: a.latency_ms }));
    const dead = this.ctx.storage.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM dead_letters WHERE endpoint_id = ? AND replayed_at IS NULL",
        id,
      )
      .one().n;
    return {
      ...view(row),
      stats: {
        attempts: row.attempts,
        successes: row.successes,
        failures: row.failures,
        recent: recentStats(recent),
        lastError: row.last_error,
        lastErrorAt: iso(row.last_error_at),
        lastSuccessAt: iso(row.last_success_at),
        failingSince: iso(row.failing_since),
        deadLetters: dead,
      },
    };
  }

  async setStatus(id: string, status: "active" | "paused", _now: number): Promise<boolean> {
    if (!this.row(id)) return false;
    // Resuming starts the automatic pause's count afresh.
    this.ctx.storage.sql.exec(
      status === "paused"
        ? "UPDATE endpoints SET status = 'paused', paused_reason = 'operator' WHERE id = ?"
        : "UPDATE endpoints SET status = 'active', paused_reason = NULL, failing_since = NULL WHERE id = ?",
      id,
    );
    return true;
  }

  async rotate(
    id: string,
    now: number,
    graceMs: number,
  ): Promise<{ secret: string; previousUntil: string } | null> {
    const row = this.row(id);
    if (!row) return null;
    const secret = newSigningSecret();
    this.ctx.storage.sql.exec(
      "UPDATE endpoints SET secret = ?, previous_secret = ?, previous_until = ? WHERE id = ?",
      secret,
      row.secret,
      now + graceMs,
      id,
    );
    return { secret, previousUntil: new Date(now + graceMs).toISOString() };
  }

  async remove(id: string): Promise<boolean> {
    const found = this.row(id) !== null;
    this.ctx.storage.sql.exec("DELETE FROM endpoints WHERE id = ?", id);
    this.ctx.storage.sql.exec("DELETE FROM attempts WHERE endpoint_id = ?", id);
    this.ctx.storage.sql.exec("DELETE FROM dead_letters WHERE endpoint_id = ?", id);
    return found;
  }

  async subscribers(): Promise<Subscriber[]> {
    return this.rows().map((row) => ({
      id: row.id,
      status: row.status,
      kinds: kindsColumn.parse(row.kinds === null ? null : JSON.parse(row.kinds)),
      matches: matchesColumn.parse(row.matches === null ? null : JSON.parse(row.matches)),
    }));
  }

  async targets(ids: string[], now: number): Promise<DeliveryTarget[]> {
    const out: DeliveryTarget[] = [];
    for (const id of new Set(ids)) {
      const row = this.row(id);
      if (!row) continue;
      const previous =
        row.previous_secret !== null && row.previous_until !== null && row.previous_until > now
          ? [row.previous_secret]
          : [];
      out.push({
        id,
        url: row.url,
        status: row.status,
        matches: matchesColumn.parse(row.matches === null ? null : JSON.parse(row.matches)),
        secrets: [row.secret, ...previous],
      });
    }
    return out;
  }

  async recordAttempts(reports: AttemptReport[], pauseAfterMs: number): Promise<{ paused: string[] }> {
    const paused: string[] = [];
    for (const report of [...reports].sort((a, b) => a.at - b.at)) {
      const row = this.row(report.endpointId);
      if (!row) continue;
      const health = afterAttempt({ failingSince: row.failing_since }, report, pauseAfterMs);
      this.ctx.storage.sql.exec(
        "INSERT INTO attempts (endpoint_id, at, ok, latency_ms) VALUES (?, ?, ?, ?)",
        row.id,
        report.at,
        report.ok ? 1 : 0,
        Math.round(report.latencyMs),
      );
      this.ctx.storage.sql.exec(
        `UPDATE endpoints SET attempts = attempts + 1, successes = successes + ?, failures = failures + ?,
           last_success_at = ?, last_error = ?, last_error_at = ?, failing_since = ? WHERE id = ?`,
        report.ok ? 1 : 0,
        report.ok ? 0 : 1,
        report.ok ? report.at : row.last_success_at,
        report.ok ? row.last_error : report.error,
        report.ok ? row.last_error_at : report.at,
        health.failingSince,
        row.id,
      );
      if (health.pause && row.status === "active") {
        const hours = Math.round(pauseAfterMs / 3_600_000);
        this.ctx.storage.sql.exec(
          "UPDATE endpoints SET status = 'paused', paused_reason = ? WHERE id = ?",
          `automatic: every delivery failed for ${hours >= 1 ? `${hours} h` : `${pauseAfterMs / 1000} s`}`,
          row.id,
        );
        paused.push(row.id);
      }
    }
    // Only the recent window is kept per endpoint.
    for (const id of new Set(reports.map((r) => r.endpointId))) {
      this.ctx.storage.sql.exec(
        `DELETE FROM attempts WHERE endpoint_id = ? AND at < (
           SELECT at FROM attempts WHERE endpoint_id = ? ORDER BY at DESC LIMIT 1 OFFSET ?)`,
        id,
        id,
        RECENT_ATTEMPTS - 1,
      );
    }
    return { paused };
  }

  async recordDeadLetters(deliveries: DeadDeliveryMessage[], now: number): Promise<void> {
    for (const d of deliveries) {
      if (!this.row(d.endpointId)) continue;
      // A moment dead again after a replay replaces its old entry (and is pending again).
      this.ctx.storage.sql.exec(
        `INSERT OR REPLACE INTO dead_letters
           (endpoint_id, moment_id, moment, reason, attempts, last_error, dead_at, replayed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
        d.endpointId,
        d.moment.id,
        JSON.stringify(d.moment),
        d.reason ?? "retries exhausted",
        d.attempts ?? null,
        d.lastError ?? this.row(d.endpointId)?.last_error ?? null,
        now,
      );
    }
  }

  async deadLetters(id: string): Promise<WebhookDeadLetter[] | null> {
    if (!this.row(id)) return null;
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM dead_letters WHERE endpoint_id = ? ORDER BY dead_at DESC LIMIT 500", id)
      .toArray()
      .map((row) => {
        const d = deadLetterRow.parse(row);
        const moment = momentSchema.parse(JSON.parse(d.moment));
        return {
          momentId: d.moment_id,
          kind: moment.kind,
          matchId: moment.matchId,
          seq: moment.seq,
          reason: d.reason,
          attempts: d.attempts,
          lastError: d.last_error,
          deadAt: new Date(d.dead_at).toISOString(),
          replayedAt: iso(d.replayed_at),
        };
      });
  }

  async pendingDeadLetters(id: string): Promise<QueuedMoment[] | null> {
    if (!this.row(id)) return null;
    return this.ctx.storage.sql
      .exec<{ moment: string }>(
        "SELECT moment FROM dead_letters WHERE endpoint_id = ? AND replayed_at IS NULL ORDER BY dead_at",
        id,
      )
      .toArray()
      .map((row) => momentSchema.parse(JSON.parse(row.moment)) as QueuedMoment);
  }

  async markReplayed(id: string, momentIds: string[], now: number): Promise<void> {
    for (const momentId of momentIds) {
      // Only what was read for this replay: one that died again since is pending again.
      this.ctx.storage.sql.exec(
        "UPDATE dead_letters SET replayed_at = ? WHERE endpoint_id = ? AND moment_id = ? AND dead_at <= ?",
        now,
        id,
        momentId,
        now,
      );
    }
  }

  private row(id: string): EndpointRow | null {
    const rows = this.ctx.storage.sql.exec<Row>("SELECT * FROM endpoints WHERE id = ?", id).toArray();
    return rows[0] ? endpointRow.parse(rows[0]) : null;
  }

  private rows(): EndpointRow[] {
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM endpoints ORDER BY created_at, id")
      .toArray()
      .map((row) => endpointRow.parse(row));
  }
}

const deadLetterRow = z.object({
  moment_id: z.string(),
  moment: z.string(),
  reason: z.string(),
  attempts: z.number().nullable(),
  last_error: z.string().nullable(),
  dead_at: z.number(),
  replayed_at: z.number().nullable(),
});

function view(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    // Secrets in a URL are refused on registration; one stored before that is not shown either.
    url: redactedUrl(row.url),
    kinds: kindsColumn.parse(row.kinds === null ? null : JSON.parse(row.kinds)),
    matches: matchesColumn.parse(row.matches === null ? null : JSON.parse(row.matches)),
    status: row.status,
    pausedReason: row.paused_reason,
    createdAt: new Date(row.created_at).toISOString(),
    previousSecretUntil: iso(row.previous_until),
  };
}
