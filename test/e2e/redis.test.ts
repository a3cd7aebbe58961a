import { readFileSync } from "node:fs";
import { join } from "node:path";
import ioredis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Subscription, subscribe } from "../../client/index.ts";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { freePort, LocalStack, tempStateDir } from "../../scripts/local-stack.ts";
import { type Bridge, type RedisServer, start, startRedisServer } from "../support/upstash-bridge/index.ts";
import { appliedEveryVersion } from "../support/version-chain.ts";

const { Redis } = ioredis as unknown as typeof import("ioredis");

class PlainWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: false });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value).slice(0, 200)}`);
    await sleep(100);
  }
}

/**
 * The Upstash path end to end: the stack under `wrangler dev` talking to a real redis-server
 * through the Upstash REST bridge, then Redis stopped, restarted and slowed under a live match.
 * Redis must help while it is up and never be what takes the feed down.
 */
describe("Redis (Upstash) under a live match", () => {
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "../../fixtures/cricsheet/1175359.json"), "utf8"),
  );
  const events: ProviderEvent[] = cricsheetToEvents(file, { matchId: "redis-live" });
  let redis: RedisServer;
  let bridge: Bridge;
  let stack: LocalStack;
  const subscriptions: Subscription<unknown>[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    bridge = await start({ redisUrl: redis.url, token: "e2e-token" });
  });

  afterAll(async () => {
    for (const s of subscriptions) s.close();
    await stack?.stop();
    await bridge?.close();
    await redis?.stop();
  });

  it("presence, read model and feed work with Redis up, survive it stopping and slowing, and recover", async () => {
    stack = new LocalStack(await freePort(), tempStateDir(), {
      vars: {
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: bridge.token,
        ROOM_MAX_SOCKETS: "10",
        ROOM_PRESENCE_INTERVAL_MS: "1000",
        FAST_READ_BREAKER_COOLDOWN_MS: "1000",
      },
    });
    await stack.start();
    const health = await stack.get<{ fastRead: { mode: string } }>("/health");
    expect(health.fastRead.mode).toBe("upstash");

    const versions: number[] = [];
    const send = async (slice: ProviderEvent[]) => {
      const res = await stack.ingest(slice);
      expect(res.status).toBe(200);
      versions.push(slice.at(-1)?.seq ?? 0);
    };
    await send(events.slice(0, 10));

    // 60 viewers over two regions and several shards (10 sockets a room).
    const plan: [string, number][] = [
      ["weur", 35],
      ["apac", 25],
    ];
    const applied = new Map<Subscription<unknown>, [number | null, number][]>();
    for (const [region, count] of plan) {
      for (let i = 0; i < count; i++) {
        const sub = subscribe({
          baseUrl: stack.base,
          matchId: "redis-live",
          region,
          WebSocket: PlainWebSocket,
        });
        const steps: [number | null, number][] = [];
        sub.on("update", ({ prev, seq }) => steps.push([prev, seq]));
        applied.set(sub, steps);
        subscriptions.push(sub);
      }
    }
    await until(
      async () => subscriptions.every((s) => s.seq === 10),
      (ok) => ok,
      "every viewer at seq 10",
    );

    // Presence equals the sockets connected, per region, within a report interval or two.
    const presence = () =>
      stack.get<{ total: number; byRegion: Record<string, number>; stale: boolean }>(
        "/v1/matches/redis-live/presence",
      );
    expect(await until(presence, (p) => p.total === 60, "presence 60")).toMatchObject({
      total: 60,
      byRegion: { weur: 35, apac: 25 },
      stale: false,
    });
    // The read API serves from Redis.
    const read = async () => {
      const res = await fetch(`${stack.base}/v1/matches/redis-live`);
      return { source: res.headers.get("x-crease-source"), seq: ((await res.json()) as { seq: number }).seq };
    };
    expect(await until(read, (r) => r.source === "upstash" && r.seq === 10, "a read from Redis")).toEqual({
      source: "upstash",
      seq: 10,
    });

    // Redis stops in the middle of the replay.
    const third = Math.floor(events.length / 3);
    for (let i = 10; i < third; i += 10) await send(events.slice(i, Math.min(i + 10, third)));
    await redis.stop();
    for (let i = third; i < 2 * third; i += 10) await send(events.slice(i, Math.min(i + 10, 2 * third)));
    await until(
      async () => subscriptions.every((s) => s.seq === 2 * third),
      (ok) => ok,
      "every viewer across the outage",
    );
    // Reads fall back to the ledger and stay correct; presence answers the last counts, flagged stale.
    expect(
      await until(read, (r) => r.source === "ledger" && r.seq === 2 * third, "a ledger fallback"),
    ).toMatchObject({ source: "ledger" });
    expect(await until(presence, (p) => p.stale, "stale presence")).toMatchObject({ total: 60, stale: true });

    // Redis returns: everything recovers on its own.
    redis = await startRedisServer({ port: redis.port });
    await send(events.slice(2 * third, 2 * third + 10));
    expect(await until(read, (r) => r.source === "upstash", "reads from Redis again", 30_000)).toMatchObject({
      source: "upstash",
    });
    expect(
      await until(presence, (p) => !p.stale && p.total === 60, "fresh presence again", 30_000),
    ).toMatchObject({ total: 60 });

    // Redis slowed to 200 ms a call: the live feed's latency does not move beyond noise.
    const deliveryMs = async (slice: ProviderEvent[]) => {
      const target = slice.at(-1)?.seq ?? 0;
      const started = performance.now();
      await send(slice);
      await until(
        async () => subscriptions.every((s) => s.seq === target),
        (ok) => ok,
        `seq ${target}`,
      );
      return performance.now() - started;
    };
    let cursor = 2 * third + 10;
    const fast: number[] = [];
    for (let k = 0; k < 5; k++, cursor += 5) fast.push(await deliveryMs(events.slice(cursor, cursor + 5)));
    bridge.setDelay(200);
    const slow: number[] = [];
    for (let k = 0; k < 5; k++, cursor += 5) slow.push(await deliveryMs(events.slice(cursor, cursor + 5)));
    bridge.setDelay(0);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    console.log(
      `live delivery median: Redis normal ${median(fast).toFixed(0)} ms, Redis +200 ms ${median(slow).toFixed(0)} ms`,
    );
    // The poll loop above samples every 100 ms; "noise" is a couple of samples, not 200 ms per call.
    expect(median(slow)).toBeLessThan(median(fast) + 150);

    for (; cursor < events.length; cursor += 20) await send(events.slice(cursor, cursor + 20));
    await until(
      async () => subscriptions.every((s) => s.seq === events.length),
      (ok) => ok,
      "the final seq",
    );
    const final = await stack.get<{ state: unknown }>("/v1/matches/redis-live", {
      "cache-control": "no-cache",
    });
    for (const sub of subscriptions) {
      expect(sub.state).toEqual(final.state);
      // Every version, in order, through the outage.
      expect(appliedEveryVersion(applied.get(sub) ?? [], versions)).toBe(true);
    }
  });

  it("a herd of 2,000 connections in a second costs Redis a few dozen commands a second at most", async () => {
    // A fresh stack with production-sized rooms, on the same Redis.
    for (const sub of subscriptions) sub.close();
    await stack?.stop();
    stack = new LocalStack(await freePort(), tempStateDir(), {
      vars: {
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: bridge.token,
        ROOM_PRESENCE_INTERVAL_MS: "5000",
        RATE_LIMIT_INGEST: "8/60",
      },
    });
    await stack.start();
    // The ingest limit, per provider key, counted in Redis: 8 requests a minute here.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await stack.ingest(events.slice(i, i + 1));
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);

    const counter = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const processed = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await counter.info("stats"))?.[1] ?? 0);
    const before = await processed();
    const started = performance.now();
    const sockets: WebSocket[] = [];
    const opened: Promise<string>[] = [];
    for (let i = 0; i < 2000; i++) {
      const ws = new PlainWebSocket(
        `${stack.base.replace("http", "ws")}/v1/matches/redis-live/ws?region=weur`,
        ["crease.v1"],
      );
      sockets.push(ws);
      opened.push(
        new Promise((resolve) => ws.once("message", (data) => resolve(JSON.parse(String(data)).type))),
      );
    }
    const first = await Promise.all(opened);
    const admitted = first.filter((type) => type === "snapshot").length;
    const tookS = (performance.now() - started) / 1000;
    // Let presence report (one pipeline per room per tick) land inside the measured window.
    await sleep(5500);
    const commands = (await processed()) - before - 1; // minus our own INFO
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `herd: 2000 sockets answered in ${tookS.toFixed(2)} s (${admitted} snapshots, ${2000 - admitted} retry hints); Redis processed ${commands} commands in ${seconds.toFixed(1)} s (${(commands / seconds).toFixed(1)}/s)`,
    );
    expect(commands / seconds).toBeLessThan(36);
    for (const ws of sockets) ws.close();
    counter.disconnect();
  });
});
