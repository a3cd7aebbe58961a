import type { DeadLetter, DeadLetterReason, Hole } from "../../protocol/admin-types.ts";
import type { PatchOperation } from "../../protocol/live-messages.ts";
import type { PublishedPatch } from "../../protocol/publication.ts";

export type { DeadLetter, DeadLetterReason } from "../../protocol/admin-types.ts";

import { parseProviderEvent } from "../../protocol/provider-events.ts";
import type { MatchState, ProviderEvent } from "../../scoring/index.ts";
import { type GapRecord, openHole } from "./ledger-health.ts";

/**
 * The ledger's SQLite tables, behind named methods so the sequencer reads as the
 * algorithm it is. Every method is synchronous: the sequencer runs a whole batch
 * inside one `transactionSync`, which is what makes "2xx only once durable" cheap.
 */
export class LedgerStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL,
        event_ts TEXT NOT NULL, received_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, state TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS gaps (
        from_seq INTEGER PRIMARY KEY, to_seq INTEGER NOT NULL, skipped_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS dead_letters (
        seq INTEGER PRIMARY KEY, error TEXT NOT NULL, attempts INTEGER NOT NULL,
        at INTEGER NOT NULL, status TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS published (
        seq INTEGER PRIMARY KEY, prev INTEGER NOT NULL, ops TEXT NOT NULL, delta TEXT NOT NULL DEFAULT '');
      CREATE TABLE IF NOT EXISTS conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, body TEXT NOT NULL,
        received_at INTEGER NOT NULL);
    `);
    // Ledgers written by an older build lack newer columns: add them in place.
    this.addColumn("published", "delta", "TEXT NOT NULL DEFAULT ''");
    this.addColumn("gaps", "acknowledged_at", "INTEGER");
    // Events parked outside the log keep their own type and body; engine dead letters join the log's.
    this.addColumn("dead_letters", "reason", "TEXT NOT NULL DEFAULT 'engine error'");
    this.addColumn("dead_letters", "type", "TEXT");
    this.addColumn("dead_letters", "body", "TEXT");
    // A conflict stays open (and, above the cursor, holds the match at its seq) until resolved.
    this.addColumn("conflicts", "status", "TEXT NOT NULL DEFAULT 'open'");
    this.addColumn("conflicts", "resolved_at", "INTEGER");
    this.addColumn("conflicts", "kept", "TEXT");
  }

  private addColumn(table: string, column: string, definition: string): void {
    const columns = this.sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
    if (!columns.some((c) => c.name === column))
      this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }

  /**
   * Snapshots and published patches are caches of what the engine computes from the log: when
   * the engine that wrote them differs from this one, they are dropped (the log is replayed on
   * demand) and a new epoch begins, so every room and viewer takes the state afresh. A match
   * records its engine at birth; one without a record predates versioning. True when it happened.
   */
  adoptEngine(version: number, freshEpoch: () => string): boolean {
    if (this.getMeta("matchId") === null || this.getMeta("engine") === String(version)) return false;
    this.sql.exec("DELETE FROM snapshots; DELETE FROM published");
    this.setMeta("epoch", freshEpoch());
    this.setMeta("engine", version);
    return true;
  }

  // --- meta -------------------------------------------------------------------

  getMeta(key: MetaKey): string | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? row.value : null;
  }

  setMeta(key: MetaKey, value: string | number): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      String(value),
    );
  }

  getNumber(key: MetaKey): number {
    const v = this.getMeta(key);
    return v === null ? 0 : Number(v);
  }

  // --- the event log ----------------------------------------------------------

  /** The stored canonical body of `seq`, or null when the log has no such event. */
  eventBody(seq: number): string | null {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM events WHERE seq = ?", seq).toArray()[0];
    return row ? row.body : null;
  }

  insertEvent(event: ProviderEvent, body: string, receivedAt: number): void {
    this.sql.exec(
      "INSERT INTO events (seq, type, body, event_ts, received_at) VALUES (?, ?, ?, ?, ?)",
      event.seq,
      event.type,
      body,
      event.ts,
      receivedAt,
    );
  }

  /**
   * Events with after < seq <= upTo, in seq order. `skip` says which dead letters to leave
   * out: all of them (the applied history), only discarded ones (a recompute gives parked
   * events another chance), or none (the raw log).
   */
  eventsBetween(
    after: number,
    upTo: number,
    opts: { skip?: "dead" | "discarded" | "none"; limit?: number } = {},
  ): ProviderEvent[] {
    const skip = opts.skip ?? "dead";
    const filter =
      skip === "none"
        ? ""
        : `AND seq NOT IN (SELECT seq FROM dead_letters ${skip === "discarded" ? "WHERE status = 'discarded'" : ""})`;
    return this.sql
      .exec<{ seq: number; body: string }>(
        `SELECT seq, body FROM events WHERE seq > ? AND seq <= ? ${filter} ORDER BY seq LIMIT ?`,
        after,
        upTo,
        opts.limit ?? -1,
      )
      .toArray()
      .map((row) => readEvent(row.body, row.seq));
  }

  /** The smallest stored seq above `after`, or null. */
  nextStoredSeq(after: number): number | null {
    const row = this.sql
      .exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM events WHERE seq > ?", after)
      .toArray()[0];
    return row?.seq ?? null;
  }

  countAbove(seq: number): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE seq > ?", seq).one().n;
  }

  /** Seqs stored above `after`, in order, at most `limit`: the buffer, when `after` is the cursor. */
  seqsAbove(after: number, limit = -1): number[] {
    return this.sql
      .exec<{ seq: number }>("SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
      .toArray()
      .map((r) => r.seq);
  }

  maxSeq(): number {
    return this.sql.exec<{ m: number | null }>("SELECT MAX(seq) AS m FROM events").one().m ?? 0;
  }

  // --- snapshots ----------------------------------------------------------------

  /** The newest snapshot strictly before `seq` (or at or before, with `inclusive`). */
  snapshotBefore(seq: number, inclusive = false): { seq: number; state: MatchState } | null {
    const row = this.sql
      .exec<{ seq: number; state: string }>(
        `SELECT seq, state FROM snapshots WHERE seq ${inclusive ? "<=" : "<"} ? ORDER BY seq DESC LIMIT 1`,
        seq,
      )
      .toArray()[0];
    return row ? { seq: row.seq, state: JSON.parse(row.state) as MatchState } : null;
  }

  /** The seq of the newest snapshot at or before `seq` (0 when none), without reading the state. */
  lastSnapshotSeq(seq: number): number {
    return (
      this.sql.exec<{ m: number | null }>("SELECT MAX(seq) AS m FROM snapshots WHERE seq <= ?", seq).one()
        .m ?? 0
    );
  }

  putSnapshot(seq: number, state: MatchState): void {
    this.sql.exec(
      "INSERT INTO snapshots (seq, state) VALUES (?, ?) ON CONFLICT(seq) DO UPDATE SET state = excluded.state",
      seq,
      JSON.stringify(state),
    );
  }

  deleteSnapshotsFrom(seq: number): void {
    this.sql.exec("DELETE FROM snapshots WHERE seq >= ?", seq);
  }

  // --- gaps -----------------------------------------------------------------------

  recordGap(fromSeq: number, toSeq: number, at: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO gaps (from_seq, to_seq, skipped_at) VALUES (?, ?, ?)",
      fromSeq,
      toSeq,
      at,
    );
  }

  /** Gap ranges the ledger moved past, with how many of their seqs are still missing. */
  gaps(): Gap[] {
    return this.sql
      .exec<{
        from_seq: number;
        to_seq: number;
        skipped_at: number;
        acknowledged_at: number | null;
        present: number;
      }>(
        `SELECT g.from_seq, g.to_seq, g.skipped_at, g.acknowledged_at,
           (SELECT COUNT(*) FROM events e WHERE e.seq BETWEEN g.from_seq AND g.to_seq) AS present
         FROM gaps g ORDER BY g.from_seq`,
      )
      .toArray()
      .map((r) => ({
        fromSeq: r.from_seq,
        toSeq: r.to_seq,
        skippedAt: r.skipped_at,
        acknowledgedAt: r.acknowledged_at,
        missing: r.to_seq - r.from_seq + 1 - r.present,
      }));
  }

  /** The gaps still missing seqs that no operator has acknowledged, with the seqs they miss. */
  openHoles(): Hole[] {
    const holes: Hole[] = [];
    for (const gap of this.gaps()) {
      if (gap.missing === 0 || gap.acknowledgedAt !== null) continue;
      const present = this.sql
        .exec<{ seq: number }>("SELECT seq FROM events WHERE seq BETWEEN ? AND ?", gap.fromSeq, gap.toSeq)
        .toArray()
        .map((r) => r.seq);
      const hole = openHole(gap, present);
      if (hole) holes.push(hole);
    }
    return holes;
  }

  /**
   * An operator's word that the gap starting at `fromSeq` will not be filled (or need not be):
   * it stops counting as an open hole. Late arrivals are still put in place. Idempotent: the
   * first acknowledgement's time stays. Null when no gap starts there.
   */
  acknowledgeGap(fromSeq: number, at: number): Gap | null {
    this.sql.exec(
      "UPDATE gaps SET acknowledged_at = COALESCE(acknowledged_at, ?) WHERE from_seq = ?",
      at,
      fromSeq,
    );
    return this.gaps().find((g) => g.fromSeq === fromSeq) ?? null;
  }

  // --- dead letters -------------------------------------------------------------------

  /** The engine refused the logged event at `seq`: it stays in the log and is left out of the applied history. */
  putDeadLetter(seq: number, error: string, attempts: number, at: number): void {
    this.sql.exec(
      `INSERT INTO dead_letters (seq, error, attempts, at, status, reason) VALUES (?, ?, ?, ?, 'dead', 'engine error')
       ON CONFLICT(seq) DO UPDATE SET error = excluded.error, attempts = dead_letters.attempts + excluded.attempts,
         at = excluded.at, status = 'dead', reason = 'engine error', type = NULL, body = NULL`,
      seq,
      error,
      attempts,
      at,
    );
  }

  /**
   * Moves the logged event at `seq` out of the log into a dead letter that keeps its body, so
   * the seq is free again: "as if it had never come". The receivedSeq, the buffer and the
   * event log no longer see it.
   */
  parkOutsideLog(
    seq: number,
    reason: Exclude<DeadLetterReason, "engine error">,
    error: string,
    at: number,
  ): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO dead_letters (seq, error, attempts, at, status, reason, type, body)
       SELECT seq, ?, 0, ?, 'dead', ?, type, body FROM events WHERE seq = ?`,
      error,
      at,
      reason,
      seq,
    );
    this.sql.exec("DELETE FROM events WHERE seq = ?", seq);
  }

  /** The canonical body of a dead letter kept outside the log, or null when `seq` has none. */
  parkedBody(seq: number): string | null {
    const row = this.sql
      .exec<{ body: string | null }>("SELECT body FROM dead_letters WHERE seq = ?", seq)
      .toArray()[0];
    return row?.body ?? null;
  }

  /** Puts a dead letter kept outside the log back into the log (a replay); false when there is none. */
  unpark(seq: number, at: number): boolean {
    const body = this.parkedBody(seq);
    if (body === null || this.eventBody(seq) !== null) return false;
    this.removeDeadLetter(seq);
    this.insertEvent(readEvent(body, seq), body, at);
    return true;
  }

  deadLetter(seq: number): DeadLetter | null {
    return this.deadLetterRows("WHERE d.seq = ?", seq)[0] ?? null;
  }

  deadLetters(): DeadLetter[] {
    return this.deadLetterRows("");
  }

  private deadLetterRows(where: string, ...bindings: number[]): DeadLetter[] {
    return this.sql
      .exec<{
        seq: number;
        error: string;
        attempts: number;
        at: number;
        status: string;
        type: string | null;
        reason: string;
      }>(
        `SELECT d.seq, d.error, d.attempts, d.at, d.status, COALESCE(d.type, e.type) AS type, d.reason
         FROM dead_letters d LEFT JOIN events e ON e.seq = d.seq ${where} ORDER BY d.seq`,
        ...bindings,
      )
      .toArray()
      .map((r) => ({
        seq: r.seq,
        type: r.type ?? "unknown",
        reason: readReason(r.reason),
        error: r.error,
        attempts: r.attempts,
        at: r.at,
        status: r.status === "discarded" ? "discarded" : "dead",
      }));
  }

  /** Dead letters stay in `dead_letters` (so they are never applied) but are marked as dealt with. */
  discardDeadLetter(seq: number): void {
    this.sql.exec("UPDATE dead_letters SET status = 'discarded' WHERE seq = ?", seq);
  }

  removeDeadLetter(seq: number): void {
    this.sql.exec("DELETE FROM dead_letters WHERE seq = ?", seq);
  }

  // --- the published versions (what the edge was sent) ----------------------------------

  putPublished(patch: PublishedPatch): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO published (seq, prev, ops, delta) VALUES (?, ?, ?, ?)",
      patch.seq,
      patch.prev,
      JSON.stringify(patch.ops),
      patch.delta,
    );
  }

  setPublishedDelta(seq: number, delta: string): void {
    this.sql.exec("UPDATE published SET delta = ? WHERE seq = ?", delta, seq);
  }

  clearPublished(): void {
    this.sql.exec("DELETE FROM published");
  }

  /** Published versions after `since`, oldest first, at most `limit`. */
  publishedAfter(since: number, limit: number): PublishedPatch[] {
    return this.sql
      .exec<{ seq: number; prev: number; ops: string; delta: string }>(
        "SELECT seq, prev, ops, delta FROM published WHERE seq > ? ORDER BY seq LIMIT ?",
        since,
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, prev: r.prev, ops: JSON.parse(r.ops) as PatchOperation[], delta: r.delta }));
  }

  /**
   * Ledgers written before "a hole is a wait" parked events that waited beyond a large hole as
   * `too far ahead`, though the provider had been told they were buffered. Each still open goes
   * back into the log (buffered, applied once the seqs before it arrive); where its seq has since
   * been taken by a different event, the parked body becomes an open conflict for an operator.
   * Answers how many were released.
   */
  releaseParkedAhead(at: number): number {
    const rows = this.sql
      .exec<{ seq: number; body: string | null }>(
        "SELECT seq, body FROM dead_letters WHERE reason = 'too far ahead' AND status = 'dead'",
      )
      .toArray();
    for (const { seq, body } of rows) {
      if (body === null) continue;
      const stored = this.eventBody(seq);
      this.removeDeadLetter(seq);
      if (stored === null) this.insertEvent(readEvent(body, seq), body, at);
      else if (stored !== body) this.recordConflict(seq, body, at);
    }
    return rows.length;
  }

  // --- conflicts -------------------------------------------------------------------

  /**
   * A different body for a seq the log already holds: kept as an open conflict, once per distinct
   * body (a provider retrying the same conflicting event adds nothing). True when it is new.
   */
  recordConflict(seq: number, body: string, at: number): boolean {
    const known = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM conflicts WHERE seq = ? AND body = ? AND status = 'open'",
        seq,
        body,
      )
      .one().n;
    if (known > 0) return false;
    this.sql.exec("INSERT INTO conflicts (seq, body, received_at) VALUES (?, ?, ?)", seq, body, at);
    return true;
  }

  /** Every conflict ever received (the Prometheus counter). */
  conflictCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM conflicts").one().n;
  }

  /** The conflicts no operator has resolved, oldest first, with the body each one brought. */
  openConflicts(): ConflictRecord[] {
    return this.sql
      .exec<{ id: number; seq: number; body: string; received_at: number }>(
        "SELECT id, seq, body, received_at FROM conflicts WHERE status = 'open' ORDER BY seq, id",
      )
      .toArray()
      .map((r) => ({ id: r.id, seq: r.seq, body: r.body, receivedAt: r.received_at }));
  }

  /** The smallest seq above `after` with an open conflict: the ledger applies nothing from there on. */
  firstConflictAbove(after: number): number | null {
    const row = this.sql
      .exec<{ seq: number | null }>(
        "SELECT MIN(seq) AS seq FROM conflicts WHERE status = 'open' AND seq > ?",
        after,
      )
      .one();
    return row.seq ?? null;
  }

  /** Closes every open conflict at `seq`, saying which body the log kept. */
  resolveConflicts(seq: number, kept: "stored" | "incoming", at: number): void {
    this.sql.exec(
      "UPDATE conflicts SET status = 'resolved', resolved_at = ?, kept = ? WHERE seq = ? AND status = 'open'",
      at,
      kept,
      seq,
    );
  }

  /** The log's event at `seq` becomes `event` (an operator kept the incoming side of a conflict). */
  replaceEvent(event: ProviderEvent, body: string, receivedAt: number): void {
    this.sql.exec("DELETE FROM events WHERE seq = ?", event.seq);
    this.insertEvent(event, body, receivedAt);
  }
}

/** One open conflict as the table keeps it: the body that arrived for a seq already taken. */
export interface ConflictRecord {
  id: number;
  seq: number;
  body: string;
  receivedAt: number;
}

/** `fault` is set only by a test, to inject a crash (see injected-fault.ts). */
export type MetaKey = "matchId" | "epoch" | "cursor" | "gapWaitSince" | "lag" | "engine" | "fault";

/**
 * One edge region under a match's ledger, as its lag report shows it. The regions live in
 * storage/tree-root.ts (the `edge_regions` table), which reads its rows as this shape; the
 * type stays here because durable-objects/rpc.ts names it from here.
 */
export interface EdgeRegion {
  region: string;
  viewers: number;
  /** The newest seq the region's rooms confirmed they hold (the edge's consumer offset). */
  confirmedSeq: number;
  reportedAt: number;
}

export interface Gap extends GapRecord {
  missing: number;
}

/** A row is a boundary too: an unknown reason (a newer build's, read by an older one) reads as the engine's. */
function readReason(raw: string): DeadLetterReason {
  return raw === "too far ahead" || raw === "discarded from the buffer" ? raw : "engine error";
}

/** Stored bodies are parsed again on the way out: a row is a boundary too. */
export function readEvent(body: string, seq: number): ProviderEvent {
  const parsed = parseProviderEvent(JSON.parse(body));
  if (!parsed.ok) {
    throw new Error(
      `stored event ${seq} no longer matches the event schema: ${parsed.issues[0]?.message ?? "?"}`,
    );
  }
  return parsed.event;
}
