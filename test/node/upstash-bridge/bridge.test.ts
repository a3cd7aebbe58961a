/**
 * Node tier: the Upstash REST bridge against a real redis-server, driven by the real
 * `@upstash/redis` client (its Workers entry, as Crease will use it) and `@upstash/ratelimit`.
 */
import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bridge,
  REDIS_SERVER_MISSING,
  type RedisServer,
  start,
  startRedisServer,
} from "../../support/upstash-bridge/index.ts";
import { withRedisFlags } from "../../support/upstash-bridge/script-flags.ts";

const TOKEN = "bridge-test-token";
let server: RedisServer;
let bridge: Bridge;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  bridge = await start({ redisUrl: server.url, token: TOKEN });
  redis = new Redis({ url: bridge.url, token: bridge.token });
});

afterAll(async () => {
  await bridge?.close();
  await server?.stop();
});

/** A key of its own for every test, so tests never see each other's data. */
let keys = 0;
const key = (name: string) => `t${++keys}:${name}`;

/** The REST protocol without the client, to pin what goes over the wire. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Successful EVAL and EVALSHA calls so far, from INFO commandstats (a NOSCRIPT counts as failed). */
async function scriptCalls(): Promise<{ eval: number; evalsha: number }> {
  const info = String(await redis.exec(["INFO", "commandstats"]));
  const calls = (name: string) => Number(info.match(new RegExp(`cmdstat_${name}:calls=(\\d+)`))?.[1] ?? 0);
  return { eval: calls("eval"), evalsha: calls("evalsha") - rejected("evalsha", info) };
}

function rejected(name: string, info: string): number {
  const line = info.split("\n").find((l) => l.startsWith(`cmdstat_${name}:`)) ?? "";
  return (
    Number(line.match(/failed_calls=(\d+)/)?.[1] ?? 0) + Number(line.match(/rejected_calls=(\d+)/)?.[1] ?? 0)
  );
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; outcome: T | Error }> {
  const started = performance.now();
  const outcome = await run().catch((error: Error) => error);
  return { ms: performance.now() - started, outcome };
}

describe("commands through @upstash/redis", () => {
  it("SET with EX, then GET, including text that only survives a correct base64 round trip", async () => {
    const k = key("score");
    expect(await redis.set(k, "IND 287/4 (48.2) ಕ್ರಿಕೆಟ್ 🏏", { ex: 10 })).toBe("OK");
    expect(await redis.get(k)).toBe("IND 287/4 (48.2) ಕ್ರಿಕೆಟ್ 🏏");
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);
    expect(await redis.get(key("missing"))).toBeNull();
  });

  it("stores objects as JSON and reads them back", async () => {
    const k = key("state");
    const state = { matchId: "m1", seq: 42, batting: ["Rohit", "Kohli"], extras: null };
    await redis.set(k, state, { ex: 30 });
    expect(await redis.get(k)).toEqual(state);
  });

  it("INCR counts", async () => {
    const k = key("counter");
    expect(await redis.incr(k)).toBe(1);
    expect(await redis.incr(k)).toBe(2);
    expect(await redis.incrby(k, 40)).toBe(42);
  });

  it("ZADD, ZRANGE WITHSCORES and ZREMRANGEBYSCORE: the presence shape", async () => {
    const k = key("presence");
    expect(await redis.zadd(k, { score: 1000, member: "room-a" }, { score: 2500.5, member: "room-b" })).toBe(
      2,
    );
    expect(await redis.zrange(k, 0, -1, { withScores: true })).toEqual(["room-a", 1000, "room-b", 2500.5]);
    expect(await redis.zremrangebyscore(k, 0, 2000)).toBe(1);
    expect(await redis.zrange(k, 0, -1)).toEqual(["room-b"]);
    expect(await redis.zcard(k)).toBe(1);
  });

  it("HSET and HGETALL", async () => {
    const k = key("viewers");
    expect(await redis.hset(k, { apac: 120, eu: 7, label: "final" })).toBe(3);
    expect(await redis.hgetall(k)).toEqual({ apac: 120, eu: 7, label: "final" });
    expect(await redis.hgetall(key("none"))).toBeNull();
  });

  it("pipeline(): one request, replies in order, a failing command reported in its place", async () => {
    const counter = key("p-counter");
    const text = key("p-text");
    const pipeline = redis.pipeline();
    pipeline.set(text, "hello");
    pipeline.incr(counter);
    pipeline.incr(counter);
    pipeline.get(text);
    expect(await pipeline.exec()).toEqual(["OK", 1, 2, "hello"]);

    const failing = redis.pipeline();
    failing.incr(counter);
    failing.lpush(text, "x");
    failing.get(counter);
    const entries = await failing.exec({ keepErrors: true });
    expect(entries.map((entry) => entry.result ?? null)).toEqual([3, null, 3]);
    expect(entries[1]?.error).toMatch(/^WRONGTYPE/);
    await expect(redis.pipeline().lpush(text, "x").exec()).rejects.toThrow(/WRONGTYPE/);
  });

  it("multi(): a transaction", async () => {
    const k = key("tx");
    const tx = redis.multi();
    tx.set(k, 10);
    tx.incrby(k, 5);
    tx.get(k);
    expect(await tx.exec()).toEqual(["OK", 15, 15]);
  });

  it("EVAL, SCRIPT LOAD and EVALSHA, passed through as they are", async () => {
    const k = key("script");
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[1]), 42}";
    expect(await redis.eval(script, [k], ["over"])).toEqual([k, "over", 42]);
    const sha = await redis.scriptLoad("return tonumber(ARGV[1]) * 2");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [], [21])).toBe(42);
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("translates Upstash-only script flags, keeping the client's SHA1 valid for EVALSHA", async () => {
    const k = key("flagged");
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
    const clientSha = createHash("sha1").update(script).digest("hex");
    expect(await redis.eval(script, [k], [])).toBe(1);
    expect(await redis.evalsha(clientSha, [k], [])).toBe(2);
    expect(await redis.scriptExists(clientSha)).toEqual([1]);
    expect(await redis.scriptLoad(script)).toBe(clientSha);
  });

  it("drops only the shebang flags stock Redis does not know", () => {
    expect(withRedisFlags("#!lua flags=allow-key-locking\nreturn 1")).toBe("#!lua\nreturn 1");
    expect(withRedisFlags("#!lua flags=allow-key-locking,no-writes\nreturn 1")).toBe(
      "#!lua flags=no-writes\nreturn 1",
    );
    expect(withRedisFlags("#!lua name=f flags=no-writes\nreturn 1")).toBe(
      "#!lua name=f flags=no-writes\nreturn 1",
    );
    expect(withRedisFlags("return 1")).toBe("return 1");
  });

  it("a Redis error rejects with Redis's own message", async () => {
    const k = key("typed");
    await redis.set(k, "text");
    await expect(redis.incr(k)).rejects.toThrow(/ERR value is not an integer/);
  });

  it("a wrong token is refused", async () => {
    const stranger = new Redis({ url: bridge.url, token: "wrong-token" });
    await expect(stranger.get(key("secret"))).rejects.toThrow(/Unauthorized/);
  });
});

describe("the REST protocol on the wire", () => {
  it("answers without base64 when not asked, and with it when asked, leaving OK, numbers and nil alone", async () => {
    const k = key("wire");
    expect(await post("/", ["SET", k, "héllo", "EX", 10])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await post("/", ["GET", k])).toEqual({ status: 200, body: { result: "héllo" } });
    const b64 = { "upstash-encoding": "base64" };
    expect(await post("/", ["SET", k, "héllo"], b64)).toEqual({ status: 200, body: { result: "OK" } });
    expect(await post("/", ["GET", k], b64)).toEqual({
      status: 200,
      body: { result: Buffer.from("héllo").toString("base64") },
    });
    expect(await post("/", ["EVAL", "return {'OK', 7, false}", "0"], b64)).toEqual({
      status: 200,
      body: { result: [Buffer.from("OK").toString("base64"), 7, null] },
    });
    expect(await post("/", ["GET", key("nothing")], b64)).toEqual({ status: 200, body: { result: null } });
  });

  it("answers a Redis error with 400 and {error}", async () => {
    expect(await post("/", ["NOSUCHCOMMAND", "x"])).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^ERR unknown command/) },
    });
  });

  it("answers /pipeline with one entry per command", async () => {
    const k = key("wire-pipe");
    expect(
      await post("/pipeline", [
        ["SET", k, "v"],
        ["LPUSH", k, "x"],
        ["GET", k],
      ]),
    ).toEqual({
      status: 200,
      body: [{ result: "OK" }, { error: expect.stringMatching(/^WRONGTYPE/) }, { result: "v" }],
    });
  });

  it("runs /multi-exec atomically: a command Redis refuses to queue discards the whole transaction", async () => {
    const k = key("wire-tx");
    const aborted = await post("/multi-exec", [["SET", k, "1"], ["NOSUCHCOMMAND"]]);
    expect(aborted).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^EXECABORT .*unknown command/) },
    });
    expect(await post("/", ["EXISTS", k])).toEqual({ status: 200, body: { result: 0 } });
  });

  it("refuses a missing token, malformed bodies, unknown endpoints and connection-state commands", async () => {
    const noToken = await fetch(bridge.url, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: "Unauthorized" });
    expect((await post("/", { command: "GET" })).status).toBe(400);
    expect((await post("/", [])).status).toBe(400);
    expect((await post("/pipeline", ["GET", "k"])).status).toBe(400);
    expect((await post("/nowhere", ["PING"])).status).toBe(404);
    expect(await post("/", ["SUBSCRIBE", "feed"])).toEqual({
      status: 400,
      body: { error: "ERR the bridge does not support SUBSCRIBE" },
    });
  });
});

describe("a slow or absent Redis", () => {
  it("setDelay(200) adds 200 ms to every call, and setDelay(0) takes it away", async () => {
    const k = key("slow");
    bridge.setDelay(200);
    try {
      const slow = await timed(() => redis.set(k, "v"));
      expect(slow.outcome).toBe("OK");
      expect(slow.ms).toBeGreaterThanOrEqual(200);
    } finally {
      bridge.setDelay(0);
    }
    const fast = await timed(() => redis.get(k));
    expect(fast.outcome).toBe("v");
    expect(fast.ms).toBeLessThan(200);
  });

  it("fails fast while Redis is stopped, and works again, unaided, once it is back on the same port", async () => {
    const k = key("outage");
    await redis.set(k, "before");
    await server.stop();

    const down = await timed(() => redis.get(k));
    expect(down.outcome).toBeInstanceOf(Error);
    expect(String(down.outcome)).toMatch(/redis unavailable/);
    expect(down.ms).toBeLessThan(2_000);
    const downPipeline = await timed(() => redis.pipeline().incr(k).get(k).exec());
    expect(String(downPipeline.outcome)).toMatch(/redis unavailable/);
    expect(downPipeline.ms).toBeLessThan(2_000);
    const downTransaction = await timed(() => redis.multi().incr(k).exec());
    expect(String(downTransaction.outcome)).toMatch(/redis unavailable/);
    expect(downTransaction.ms).toBeLessThan(2_000);

    server = await startRedisServer({ port: server.port });
    // A fresh redis-server (no persistence): the key is gone, and the very first call works.
    expect(await redis.get(k)).toBeNull();
    expect(await redis.incr(k)).toBe(1);
  });

  it("fails fast after a crash (SIGKILL) too, and recovers", async () => {
    const k = key("crash");
    await server.kill();
    const down = await timed(() => redis.incr(k));
    expect(String(down.outcome)).toMatch(/redis unavailable/);
    expect(down.ms).toBeLessThan(2_000);
    server = await startRedisServer({ port: server.port });
    expect(await redis.incr(k)).toBe(1);
  });

  it("names the Debian package when redis-server is not installed", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(startRedisServer()).rejects.toThrow(REDIS_SERVER_MISSING);
    } finally {
      process.env.PATH = path;
    }
    expect(REDIS_SERVER_MISSING).toMatch(/apt-get install -y redis-server/);
  });
});

describe("@upstash/ratelimit through the bridge", () => {
  it("slidingWindow(5, '10 s') allows exactly 5, then blocks", async () => {
    const prefix = key("ratelimit");
    // No ephemeral cache: every decision is made by the script in Redis, through the bridge.
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(5, "10 s"),
      prefix,
      ephemeralCache: false,
    });
    const evalsBefore = await scriptCalls();
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await limiter.limit("203.0.113.7"));
    expect(outcomes.map((o) => o.success)).toEqual([true, true, true, true, true, false, false]);
    expect(outcomes.map((o) => o.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(outcomes.every((o) => o.limit === 5 && o.reason === undefined)).toBe(true);
    // Another address has its own window, and the counters live in the real Redis.
    expect((await limiter.limit("198.51.100.1")).success).toBe(true);
    expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThanOrEqual(2);
    // Eight decisions: the first by EVAL after a NOSCRIPT, the seven others by EVALSHA with the
    // library's own hash, which only succeeds because the bridge maps it (see script-flags.ts).
    const evalsAfter = await scriptCalls();
    expect(evalsAfter.eval - evalsBefore.eval).toBe(1);
    expect(evalsAfter.evalsha - evalsBefore.evalsha).toBe(7);
  });
});
