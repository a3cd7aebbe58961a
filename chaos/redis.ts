/**
 * Redis (the Upstash path, through the REST bridge to a real redis-server) stopped, crashed
 * and slowed by 200 ms a call at seeded moments of a replay, with 60 viewers over two regions
 * and several shards: every event acknowledged, every viewer at the final seq with the
 * replayed state, reads answered throughout, and live delivery not held up by a slow Redis.
 */
import { isDeepStrictEqual } from "node:util";
import { type Subscription, subscribe } from "../client/index.ts";
import { type MatchState, replay } from "../scoring/index.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { type RedisServer, start, startRedisServer } from "../test/support/upstash-bridge/index.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { asWire, matchEvents } from "./support/match.ts";
import { PlainWebSocket } from "./support/plain-websocket.ts";
import { runScenario } from "./support/scenario.ts";
import { quantile } from "./support/stats.ts";
import { until } from "./support/wait.ts";

const MATCH = "chaos-redis";
const VIEWERS = 60;
const BATCH = 3;
const SLOW_MS = 200;

type Fault = "up" | "stopped" | "crashed" | "slow";

await runScenario("redis", async (seed, cleanup) => {
  const random = seededRandom(seed);
  const events = matchEvents(MATCH);
  let redis: RedisServer | null = await startRedisServer();
  const port = redis.port;
  cleanup(() => redis?.stop());
  const bridge = await start({ redisUrl: redis.url, token: "chaos-token" });
  cleanup(() => bridge.close());
  const stack = await freshStack(cleanup, {
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    ROOM_MAX_SOCKETS: "10",
    ROOM_PRESENCE_INTERVAL_MS: "1000",
    FAST_READ_BREAKER_COOLDOWN_MS: "1000",
  });
  const health = await stack.get<{ fastRead: { mode: string } }>("/health");
  if (health.fastRead.mode !== "upstash")
    return { ok: false, line: `fast-read mode ${health.fastRead.mode}` };

  let failedPosts = 0;
  let failedReads = 0;
  const post = async (slice: typeof events) => {
    const res = await stack.ingest(slice);
    if (res.status !== 200) failedPosts++;
    await res.body?.cancel();
  };
  await post(events.slice(0, 10));
  const viewers: Subscription<MatchState>[] = [];
  cleanup(() => {
    for (const v of viewers) v.close();
  });
  for (let i = 0; i < VIEWERS; i++)
    viewers.push(
      subscribe<MatchState>({
        baseUrl: stack.base,
        matchId: MATCH,
        region: i % 3 === 0 ? "apac" : "weur",
        WebSocket: PlainWebSocket,
      }),
    );
  await until(() => viewers.every((v) => v.seq === 10), 30_000, "every viewer at seq 10");

  const setFault = async (fault: Fault) => {
    bridge.setDelay(fault === "slow" ? SLOW_MS : 0);
    if ((fault === "stopped" || fault === "crashed") && redis) {
      await (fault === "stopped" ? redis.stop() : redis.kill());
      redis = null;
    }
    if ((fault === "up" || fault === "slow") && !redis) redis = await startRedisServer({ port });
  };

  // Seeded phases over the replay; each fault appears at least once.
  const faults: Fault[] = ["stopped", "up", "slow", "up", "crashed", "slow", "up"];
  const latencies: Record<Fault, number[]> = { up: [], stopped: [], crashed: [], slow: [] };
  const cuts = faults.map(() => 10 + Math.floor(random() * (events.length - 20))).sort((a, b) => a - b);
  let cursor = 10;
  let fault: Fault = "up";
  for (let phase = 0; phase <= faults.length; phase++) {
    const end = phase < faults.length ? (cuts[phase] ?? events.length) : events.length;
    while (cursor < end) {
      const slice = events.slice(cursor, Math.min(cursor + BATCH, end));
      cursor += slice.length;
      const target = slice.at(-1)?.seq ?? 0;
      await post(slice);
      const acked = performance.now();
      await until(
        () => viewers.every((v) => (v.seq ?? 0) >= target),
        30_000,
        `every viewer at seq ${target}`,
      );
      latencies[fault].push(performance.now() - acked);
      // The read path: a cached read must answer, from Redis or from the ledger.
      if (cursor % 4 === 0) {
        const res = await fetch(`${stack.base}/v1/matches/${MATCH}`).catch(() => null);
        if (!res?.ok) failedReads++;
        await res?.body?.cancel();
      }
    }
    const next = faults[phase];
    if (next) {
      fault = next;
      await setFault(fault);
    }
  }
  await setFault("up");

  const final = events.length;
  await until(() => viewers.every((v) => v.seq === final), 30_000, `every viewer at seq ${final}`);
  const wire = asWire(replay(events));
  const ledger = await stack.get<{ seq: number; state: unknown }>(`/v1/matches/${MATCH}`, {
    "cache-control": "no-cache",
  });
  const ledgerOk = ledger.seq === final && isDeepStrictEqual(ledger.state, wire);
  const wrong = viewers.filter((v) => !isDeepStrictEqual(asWire(v.state), wire)).length;
  const p50 = (f: Fault) => `${quantile(latencies[f], 0.5).toFixed(0)}ms/${latencies[f].length}`;
  const upP50 = quantile(latencies.up, 0.5);
  const slowP50 = quantile(latencies.slow, 0.5);
  // A slow Redis may not slow live delivery beyond noise (the wait loop polls every 50 ms).
  const flat = slowP50 <= 2 * upP50 + 100;
  const ok = failedPosts === 0 && ledgerOk && wrong === 0 && failedReads === 0 && flat;
  return {
    ok,
    line:
      `events=${final} faults=${faults.join(">")} at=${cuts.join(",")} failedPosts=${failedPosts} failedReads=${failedReads} ` +
      `ledger=${ledgerOk ? "ok" : "WRONG"} viewers=${VIEWERS} wrongState=${wrong} ` +
      `delivery p50 (ms/batches): up ${p50("up")}, stopped ${p50("stopped")}, crashed ${p50("crashed")}, slow+${SLOW_MS} ${p50("slow")}${flat ? "" : " NOT FLAT"}`,
  };
});
