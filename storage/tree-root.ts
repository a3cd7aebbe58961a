/**
 * The root of a publication tree, written once for both feeds: the ledger (one match, the
 * `edge_regions` table, hubs are match rooms) and the match index (the ticker, the
 * `ticker_regions` table, hubs are ticker rooms). It keeps the regions whose hub takes the
 * feed (registered, last report, viewers, the newest seq the region confirmed), expires the
 * silent ones, and publishes to each region's hub through one kept stub per hub.
 */
import { z } from "zod";
import type { EdgeRegion } from "../origin/ledger/ledger-store.ts";

/**
 * One region under the root. The shape is the ledger's lag report's (`EdgeRegion`, which
 * durable-objects/rpc.ts names), so it is declared once, there.
 */
export type RegionReport = EdgeRegion;

/** The tables in deployed objects: the ledger's and the index's, named as they always were. */
export type RegionTable = "edge_regions" | "ticker_regions";

/** A hub's answer to a publication: `active: false` means nobody is left under it. */
export interface HubAnswer {
  active: boolean;
}

const regionRow = z.object({
  region: z.string(),
  viewers: z.number(),
  confirmed_seq: z.number(),
  reported_at: z.number(),
});

export class TreeRoot<Hub> {
  /** One stub per region's hub, kept: calls on one stub arrive in the order they were made. */
  private readonly hubs = new Map<string, Hub>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly table: RegionTable,
    private readonly hubOf: (region: string) => Hub,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (
      region TEXT PRIMARY KEY, registered_at INTEGER NOT NULL DEFAULT 0, viewers INTEGER NOT NULL DEFAULT 0,
      confirmed_seq INTEGER NOT NULL DEFAULT 0, reported_at INTEGER NOT NULL)`);
    // The index's table predates the shared root and has only (region, reported_at).
    const columns = new Set(
      sql
        .exec<{ name: string }>(`PRAGMA table_info(${table})`)
        .toArray()
        .map((c) => c.name),
    );
    for (const name of ["registered_at", "viewers", "confirmed_seq"]) {
      if (!columns.has(name)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${name} INTEGER NOT NULL DEFAULT 0`);
    }
  }

  /** A region's hub joins: published to from now on (a report it already sent is kept). */
  register(region: string, now: number): void {
    this.sql.exec(
      `INSERT INTO ${this.table} (region, registered_at, reported_at) VALUES (?, ?, ?)
       ON CONFLICT(region) DO UPDATE SET registered_at = excluded.registered_at`,
      region,
      now,
      now,
    );
  }

  /** A hub's periodic report; it registers a region that was forgotten (reports double as joins). */
  report(region: string, viewers: number, confirmedSeq: number, now: number): void {
    this.sql.exec(
      `INSERT INTO ${this.table} (region, registered_at, viewers, confirmed_seq, reported_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(region) DO UPDATE SET viewers = excluded.viewers, confirmed_seq = excluded.confirmed_seq,
         reported_at = excluded.reported_at`,
      region,
      now,
      viewers,
      confirmedSeq,
      now,
    );
  }

  unregister(region: string): void {
    this.sql.exec(`DELETE FROM ${this.table} WHERE region = ?`, region);
    this.hubs.delete(region);
  }

  /** Forgets every region; each registers again with its next report. Answers how many there were. */
  forgetAll(): number {
    const count = this.regions().length;
    this.sql.exec(`DELETE FROM ${this.table}`);
    this.hubs.clear();
    return count;
  }

  /** Every region, by name. A row that does not parse (never written by this class) is left out. */
  regions(): RegionReport[] {
    const out: RegionReport[] = [];
    for (const raw of this.sql
      .exec(`SELECT region, viewers, confirmed_seq, reported_at FROM ${this.table} ORDER BY region`)
      .toArray()) {
      const row = regionRow.safeParse(raw);
      if (!row.success) {
        console.error("unreadable region row", this.table, JSON.stringify(raw));
        continue;
      }
      const r = row.data;
      out.push({
        region: r.region,
        viewers: r.viewers,
        confirmedSeq: r.confirmed_seq,
        reportedAt: r.reported_at,
      });
    }
    return out;
  }

  /** Forgets the regions whose hub has not reported within `timeoutMs`; answers the others. */
  expire(now: number, timeoutMs: number): RegionReport[] {
    this.sql.exec(`DELETE FROM ${this.table} WHERE reported_at < ?`, now - timeoutMs);
    const kept = this.regions();
    const names = new Set(kept.map((r) => r.region));
    for (const region of this.hubs.keys()) if (!names.has(region)) this.hubs.delete(region);
    return kept;
  }

  /** Viewers over the regions that reported within `freshMs`: a silent region's count has expired. */
  viewers(now: number, freshMs: number): number {
    return this.regions()
      .filter((r) => now - r.reportedAt <= freshMs)
      .reduce((n, r) => n + r.viewers, 0);
  }

  /**
   * One call per region, to its hub (hubs forward to their shards). A hub that answers
   * `active: false` has nobody left: its region is dropped. A failed call is only logged (and
   * its stub replaced next time): the hub notices the jump at its next version or report and
   * pulls what it missed.
   */
  async publishToHubs(
    regions: readonly string[],
    send: (hub: Hub) => Promise<HubAnswer>,
    label: string,
  ): Promise<void> {
    await Promise.all(
      regions.map(async (region) => {
        try {
          const { active } = await send(this.hub(region));
          if (!active) this.unregister(region);
        } catch (error) {
          this.hubs.delete(region);
          console.error("publish to region failed", label, region, String(error));
        }
      }),
    );
  }

  private hub(region: string): Hub {
    let hub = this.hubs.get(region);
    if (hub === undefined) {
      hub = this.hubOf(region);
      this.hubs.set(region, hub);
    }
    return hub;
  }
}
