import { env } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { EmbeddedFastRead } from "../../fast-read/embedded-fast-read.ts";
import type { FastRead } from "../../fast-read/fast-read.ts";
import { UpstashFastRead } from "../../fast-read/upstash-fast-read.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/**
 * One contract, two implementations: the embedded store (Durable Object SQLite) and Upstash
 * (a real redis-server behind the Upstash REST bridge). Each test uses fresh keys.
 */
const implementations: [string, () => FastRead][] = [
  ["embedded", () => new EmbeddedFastRead(env.FAST_READ)],
  ["upstash", () => new UpstashFastRead(inject("upstash"))],
];

let counter = 0;
const fresh = (label: string) => `${label}-${Date.now()}-${counter++}`;

describe.each(implementations)("fast-read contract: %s", (_name, make) => {
  it("sums room reports by region and forgets rooms that went silent", async () => {
    const fastRead = make();
    const matchId = fresh("presence");
    const now = Date.now();
    await fastRead.reportPresence({ matchId, region: "weur", shard: 0, viewers: 120, at: now });
    await fastRead.reportPresence({ matchId, region: "weur", shard: 1, viewers: 80, at: now });
    await fastRead.reportPresence({ matchId, region: "apac", shard: 0, viewers: 50, at: now });
    await fastRead.reportPresence({ matchId, region: "apac", shard: 1, viewers: 9, at: now - 60_000 }); // silent
    // A room's newer report replaces its older one.
    await fastRead.reportPresence({ matchId, region: "weur", shard: 1, viewers: 90, at: now });
    expect(await fastRead.presence(matchId, now, 15_000)).toEqual({
      total: 260,
      byRegion: { weur: 210, apac: 50 },
    });
    expect(await fastRead.presence(fresh("nobody"), now, 15_000)).toEqual({ total: 0, byRegion: {} });
  });

  it("keeps the newest state of a match and never goes back to an older seq", async () => {
    const fastRead = make();
    const matchId = fresh("read-model");
    expect(await fastRead.getMatch(matchId)).toBeNull();
    await fastRead.putMatch({ matchId, epoch: "e1", seq: 10, state: { runs: 50, name: "Ünïcödé" } }, 60);
    await fastRead.putMatch({ matchId, epoch: "e1", seq: 12, state: { runs: 55 } }, 60);
    await fastRead.putMatch({ matchId, epoch: "e1", seq: 11, state: { runs: 52 } }, 60); // late, older
    expect(await fastRead.getMatch(matchId)).toEqual({ matchId, epoch: "e1", seq: 12, state: { runs: 55 } });
  });

  it("keeps match ids apart, whatever characters they hold", async () => {
    const fastRead = make();
    const base = fresh("ns");
    // "x:seq" must not be the seq key of "x", nor "x:state" its state.
    await fastRead.putMatch({ matchId: base, epoch: "e1", seq: 5, state: { who: "base" } }, 60);
    await fastRead.putMatch({ matchId: `${base}:seq`, epoch: "e1", seq: 1, state: { who: "seq" } }, 60);
    await fastRead.putMatch({ matchId: `${base}:state`, epoch: "e1", seq: 9, state: { who: "state" } }, 60);
    await fastRead.putMatch({ matchId: base, epoch: "e1", seq: 6, state: { who: "base, newer" } }, 60);
    expect(await fastRead.getMatch(base)).toEqual({
      matchId: base,
      epoch: "e1",
      seq: 6,
      state: { who: "base, newer" },
    });
    expect((await fastRead.getMatch(`${base}:seq`))?.state).toEqual({ who: "seq" });
    expect((await fastRead.getMatch(`${base}:state`))?.state).toEqual({ who: "state" });
  });

  it("forgets a removed match's read model and presence, and only that match's", async () => {
    const fastRead = make();
    const gone = fresh("removed");
    const kept = fresh("kept");
    const now = Date.now();
    for (const matchId of [gone, kept]) {
      await fastRead.putMatch({ matchId, epoch: "e1", seq: 3, state: { matchId } }, 60);
      await fastRead.reportPresence({ matchId, region: "weur", shard: 0, viewers: 7, at: now });
    }
    await fastRead.deleteMatch(gone);
    expect(await fastRead.getMatch(gone)).toBeNull();
    expect(await fastRead.presence(gone, now, 15_000)).toEqual({ total: 0, byRegion: {} });
    expect((await fastRead.getMatch(kept))?.seq).toBe(3);
    expect((await fastRead.presence(kept, now, 15_000)).total).toBe(7);
  });

  it("expires the read model after its TTL", async () => {
    const fastRead = make();
    const matchId = fresh("ttl");
    await fastRead.putMatch({ matchId, epoch: "e1", seq: 1, state: {} }, 1);
    expect(await fastRead.getMatch(matchId)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 2100));
    expect(await fastRead.getMatch(matchId)).toBeNull();
  });

  it("allows exactly the configured number of requests in a window, per key", async () => {
    const fastRead = make();
    const rule = { name: fresh("rule"), limit: 5, windowSeconds: 10 };
    const decisions = [];
    for (let i = 0; i < 7; i++) decisions.push(await fastRead.limit(rule, "1.2.3.4"));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions[6]?.retryAfterMs).toBeGreaterThan(0);
    expect(decisions[6]?.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect((await fastRead.limit(rule, "5.6.7.8")).allowed).toBe(true);
  });
});
