import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, worker } from "./support/ingest.ts";
import { acceptAndClose } from "./support/raw-socket.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

const readFastStore = (matchId: string) => env.FAST_READ.get(env.FAST_READ.idFromName(`match:${matchId}`));

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the read model (CQRS)", () => {
  it("serves GET /v1/matches/:id from the fast-read copy the ledger writes, with short cache headers", async () => {
    const matchId = "read-model-basic";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 20));
    const res = await until(
      () => worker(`/v1/matches/${matchId}`),
      (r) => r.headers.get("x-crease-source") === "embedded",
      "the read model",
    );
    expect(res.headers.get("cache-control")).toMatch(/max-age=1/);
    const body = (await res.json()) as { seq: number; state: unknown };
    expect(body.seq).toBe(20);
    expect(body.state).toEqual((await matchState(matchId)).state);
  });

  it("falls back to the ledger when the copy is missing, and writes it back", async () => {
    const matchId = "read-model-miss";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 10));
    await until(
      () => worker(`/v1/matches/${matchId}`),
      (r) => r.headers.get("x-crease-source") === "embedded",
      "copy",
    );
    await runInDurableObject(readFastStore(matchId), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM match");
    });
    const miss = await worker(`/v1/matches/${matchId}`);
    expect(miss.headers.get("x-crease-source")).toBe("ledger");
    expect(((await miss.json()) as { seq: number }).seq).toBe(10);
    await until(
      () => worker(`/v1/matches/${matchId}`),
      (r) => r.headers.get("x-crease-source") === "embedded",
      "write-back",
    );
  });

  it("answers Cache-Control: no-cache and ?at= from the ledger itself", async () => {
    const matchId = "read-model-fresh";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 10));
    const fresh = await worker(`/v1/matches/${matchId}`, { headers: { "cache-control": "no-cache" } });
    expect(fresh.headers.get("x-crease-source")).toBe("ledger");
    const past = await worker(`/v1/matches/${matchId}?at=5`);
    expect(past.headers.get("x-crease-source")).toBe("ledger");
    expect(((await past.json()) as { seq: number }).seq).toBe(5);
  });
});

describe("presence", () => {
  it("counts the sockets actually connected, per region, from the rooms' batched reports", async () => {
    const matchId = "presence-counts";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 3));
    for (let i = 0; i < 3; i++) await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    for (let i = 0; i < 2; i++) await TestViewer.connect(`/v1/matches/${matchId}/ws?region=apac`);
    // Rooms report every presence tick (500 ms in tests).
    const counts = await until(
      async () =>
        (await (await worker(`/v1/matches/${matchId}/presence`)).json()) as {
          total: number;
          byRegion: Record<string, number>;
          stale: boolean;
        },
      (c) => c.total === 5,
      "5 viewers",
    );
    expect(counts).toEqual({ matchId, total: 5, byRegion: { weur: 3, apac: 2 }, stale: false });
  });
});

describe("rate limits", () => {
  it("refuses reads past the configured number per address with 429 and Retry-After", async () => {
    const matchId = "rate-read";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 2));
    const from = (ip: string) => worker(`/v1/matches/${matchId}`, { headers: { "cf-connecting-ip": ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await from("203.0.113.9")).status);
    // RATE_LIMIT_READ is 20/60 in tests.
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const refused = await from("203.0.113.9");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect((await from("203.0.113.10")).status).toBe(200);
  });

  it("refuses connection attempts past the configured number per address", async () => {
    // A match that exists, so each admitted attempt reaches a room and is closed cleanly.
    await ingestEvents(fixtureEvents("1216517", "rate-connect").slice(0, 1));
    const attempt = () =>
      worker("/v1/matches/rate-connect/ws?region=weur", {
        headers: { upgrade: "websocket", "cf-connecting-ip": "198.51.100.4" },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await attempt();
      statuses.push(res.status);
      if (res.webSocket) await acceptAndClose(res.webSocket);
    }
    // RATE_LIMIT_CONNECT is 8/60 in tests.
    expect(statuses).toEqual([101, 101, 101, 101, 101, 101, 101, 101, 429]);
  });
});

describe("observability", () => {
  it("reports the fast-read mode and breaker in /health and /metrics", async () => {
    expect(await (await worker("/health")).json()).toMatchObject({
      fastRead: { mode: "embedded", breaker: "closed" },
    });
    const text = await (await worker("/metrics", { headers: ADMIN })).text();
    expect(text).toContain('crease_fast_read_breaker_state{mode="embedded",state="closed"} 1');
  });
});
