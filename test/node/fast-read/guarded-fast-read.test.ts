import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../fast-read/circuit-breaker.ts";
import type {
  FastRead,
  PresenceCounts,
  PresenceReport,
  RateDecision,
  RateRule,
  StoredMatch,
} from "../../../fast-read/fast-read.ts";
import { GuardedFastRead, guard } from "../../../fast-read/guarded-fast-read.ts";

/*
 * A fake FastRead is justified here: these tests are about the fallback policy when the
 * dependency fails, which the contract tests (test/workerd/fast-read-contract.test.ts) run
 * against real implementations and cannot make fail, hang or recover on demand.
 */

type Behaviour = "succeed" | "throw" | "hang";
type Method = "reportPresence" | "presence" | "putMatch" | "getMatch" | "deleteMatch" | "limit";

class FakeFastRead implements FastRead {
  readonly mode = "embedded" as const;
  behaviour: Behaviour = "succeed";
  readonly calls: Record<Method, number> = {
    reportPresence: 0,
    presence: 0,
    putMatch: 0,
    getMatch: 0,
    deleteMatch: 0,
    limit: 0,
  };
  presenceAnswer: PresenceCounts = { total: 0, byRegion: {} };
  matchAnswer: StoredMatch | null = null;
  limitAnswer: RateDecision = { allowed: true, retryAfterMs: 0 };

  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  private answer<T>(method: Method, value: T): Promise<T> {
    this.calls[method]++;
    if (this.behaviour === "throw") return Promise.reject(new Error(`${method} failed`));
    if (this.behaviour === "hang") return new Promise<T>(() => {});
    return Promise.resolve(value);
  }

  reportPresence(_report: PresenceReport): Promise<void> {
    return this.answer("reportPresence", undefined);
  }
  presence(_matchId: string, _now: number, _freshMs: number): Promise<PresenceCounts> {
    return this.answer("presence", this.presenceAnswer);
  }
  putMatch(_match: StoredMatch, _ttlSeconds: number): Promise<void> {
    return this.answer("putMatch", undefined);
  }
  getMatch(_matchId: string): Promise<StoredMatch | null> {
    return this.answer("getMatch", this.matchAnswer);
  }
  deleteMatch(_matchId: string): Promise<void> {
    return this.answer("deleteMatch", undefined);
  }
  limit(_rule: RateRule, _key: string): Promise<RateDecision> {
    return this.answer("limit", this.limitAnswer);
  }
}

const TIMEOUT_MS = 30;
const report: PresenceReport = { matchId: "m1", region: "eu", shard: 0, viewers: 12, at: 1_000 };
const match: StoredMatch = { matchId: "m1", epoch: "e1", seq: 7, state: { runs: 42 } };
const rule: RateRule = { name: "read", limit: 10, windowSeconds: 60 };

/** A guarded fake whose breaker never opens, so each test sees one call's fallback. */
function setup(failureThreshold = 1_000) {
  const inner = new FakeFastRead();
  const clock = { t: 0 };
  const breaker = new CircuitBreaker({
    failureThreshold,
    cooldownMs: 10_000,
    timeoutMs: TIMEOUT_MS,
    now: () => clock.t,
  });
  return { inner, clock, guarded: new GuardedFastRead(inner, breaker) };
}

describe("guarded fast-read: presence", () => {
  it("returns the inner counts with stale: false on success", async () => {
    const { inner, guarded } = setup();
    inner.presenceAnswer = { total: 30, byRegion: { eu: 10, us: 20 } };
    expect(await guarded.presence("m1", 1_000, 5_000)).toEqual({
      total: 30,
      byRegion: { eu: 10, us: 20 },
      stale: false,
    });
  });

  it("after a failure returns the last known counts for that match, stale: true", async () => {
    const { inner, guarded } = setup();
    inner.presenceAnswer = { total: 30, byRegion: { eu: 10, us: 20 } };
    await guarded.presence("m1", 1_000, 5_000);
    inner.presenceAnswer = { total: 99, byRegion: { ap: 99 } };
    await guarded.presence("m2", 1_000, 5_000);

    inner.behaviour = "throw";
    expect(await guarded.presence("m1", 2_000, 5_000)).toEqual({
      total: 30,
      byRegion: { eu: 10, us: 20 },
      stale: true,
    });
    expect(await guarded.presence("m2", 2_000, 5_000)).toEqual({
      total: 99,
      byRegion: { ap: 99 },
      stale: true,
    });
  });

  it("remembers the newest successful counts, not the first", async () => {
    const { inner, guarded } = setup();
    inner.presenceAnswer = { total: 1, byRegion: { eu: 1 } };
    await guarded.presence("m1", 1_000, 5_000);
    inner.presenceAnswer = { total: 5, byRegion: { eu: 5 } };
    await guarded.presence("m1", 2_000, 5_000);
    inner.behaviour = "throw";
    expect(await guarded.presence("m1", 3_000, 5_000)).toEqual({
      total: 5,
      byRegion: { eu: 5 },
      stale: true,
    });
  });

  it("answers zero, stale, when nothing is known for the match", async () => {
    const { inner, guarded } = setup();
    inner.presenceAnswer = { total: 30, byRegion: { eu: 30 } };
    await guarded.presence("other", 1_000, 5_000);
    inner.behaviour = "throw";
    expect(await guarded.presence("m1", 1_000, 5_000)).toEqual({ total: 0, byRegion: {}, stale: true });
  });

  it("falls back to the last known counts on a timeout too", async () => {
    const { inner, guarded } = setup();
    inner.presenceAnswer = { total: 3, byRegion: { eu: 3 } };
    await guarded.presence("m1", 1_000, 5_000);
    inner.behaviour = "hang";
    expect(await guarded.presence("m1", 2_000, 5_000)).toEqual({
      total: 3,
      byRegion: { eu: 3 },
      stale: true,
    });
  });
});

describe("guarded fast-read: read model", () => {
  it("getMatch returns the inner match on success", async () => {
    const { inner, guarded } = setup();
    inner.matchAnswer = match;
    expect(await guarded.getMatch("m1")).toEqual(match);
  });

  it("getMatch returns null when the inner call throws", async () => {
    const { inner, guarded } = setup();
    inner.matchAnswer = match;
    inner.behaviour = "throw";
    expect(await guarded.getMatch("m1")).toBeNull();
  });

  it("getMatch returns null when the inner call times out", async () => {
    const { inner, guarded } = setup();
    inner.matchAnswer = match;
    inner.behaviour = "hang";
    expect(await guarded.getMatch("m1")).toBeNull();
  });

  it("putMatch returns true on success and false on failure or timeout", async () => {
    const { inner, guarded } = setup();
    expect(await guarded.putMatch(match, 60)).toBe(true);
    inner.behaviour = "throw";
    expect(await guarded.putMatch(match, 60)).toBe(false);
    inner.behaviour = "hang";
    expect(await guarded.putMatch(match, 60)).toBe(false);
  });
});

describe("guarded fast-read: presence reports", () => {
  it("reportPresence returns true on success and false on failure or timeout", async () => {
    const { inner, guarded } = setup();
    expect(await guarded.reportPresence(report)).toBe(true);
    inner.behaviour = "throw";
    expect(await guarded.reportPresence(report)).toBe(false);
    inner.behaviour = "hang";
    expect(await guarded.reportPresence(report)).toBe(false);
  });
});

describe("guarded fast-read: rate limits", () => {
  it("passes the inner decision through on success, not degraded", async () => {
    const { inner, guarded } = setup();
    inner.limitAnswer = { allowed: false, retryAfterMs: 2_500 };
    expect(await guarded.limit(rule, "ip:1", "open")).toEqual({
      allowed: false,
      retryAfterMs: 2_500,
      degraded: false,
    });
  });

  it("fails open when asked: allowed, degraded", async () => {
    const { inner, guarded } = setup();
    inner.behaviour = "throw";
    expect(await guarded.limit(rule, "ip:1", "open")).toMatchObject({ allowed: true, degraded: true });
  });

  it("fails closed when asked: refused, degraded, with a positive retryAfterMs", async () => {
    const { inner, guarded } = setup();
    inner.behaviour = "throw";
    const decision = await guarded.limit(rule, "ip:1", "closed");
    expect(decision).toMatchObject({ allowed: false, degraded: true });
    expect(decision.retryAfterMs).toBeGreaterThan(0);
  });

  it("fails open or closed on a timeout as well", async () => {
    const { inner, guarded } = setup();
    inner.behaviour = "hang";
    expect(await guarded.limit(rule, "ip:1", "open")).toMatchObject({ allowed: true, degraded: true });
    expect(await guarded.limit(rule, "ip:1", "closed")).toMatchObject({ allowed: false, degraded: true });
  });
});

describe("guarded fast-read: breaker", () => {
  it("once the breaker opens, the inner fake is not called at all, and every method still answers its fallback", async () => {
    const { inner, guarded } = setup(3);
    inner.presenceAnswer = { total: 8, byRegion: { eu: 8 } };
    await guarded.presence("m1", 0, 5_000);
    inner.behaviour = "throw";
    for (let i = 0; i < 3; i++) await guarded.getMatch("m1");
    expect(guarded.breakerState()).toBe("open");
    const callsWhenOpened = inner.totalCalls();
    expect(callsWhenOpened).toBe(4);

    inner.behaviour = "succeed";
    expect(await guarded.reportPresence(report)).toBe(false);
    expect(await guarded.presence("m1", 0, 5_000)).toEqual({ total: 8, byRegion: { eu: 8 }, stale: true });
    expect(await guarded.putMatch(match, 60)).toBe(false);
    expect(await guarded.getMatch("m1")).toBeNull();
    expect(await guarded.limit(rule, "ip:1", "open")).toMatchObject({ allowed: true, degraded: true });
    expect(await guarded.limit(rule, "ip:1", "closed")).toMatchObject({ allowed: false, degraded: true });

    expect(inner.totalCalls()).toBe(callsWhenOpened);
    expect(guarded.breaker.stats.rejected).toBe(6);
  });

  it("after the cooldown, one successful trial lets calls reach the inner fake again", async () => {
    const { inner, clock, guarded } = setup(2);
    inner.behaviour = "throw";
    await guarded.getMatch("m1");
    await guarded.getMatch("m1");
    expect(guarded.breakerState()).toBe("open");
    inner.behaviour = "succeed";
    clock.t += 10_000;
    expect(guarded.breakerState()).toBe("half-open");
    expect(await guarded.putMatch(match, 60)).toBe(true);
    expect(guarded.breakerState()).toBe("closed");
    expect(await guarded.reportPresence(report)).toBe(true);
    expect(inner.calls.reportPresence).toBe(1);
  });

  it("a hanging inner call costs at most about timeoutMs", async () => {
    const { inner, guarded } = setup();
    inner.behaviour = "hang";
    const started = performance.now();
    expect(await guarded.getMatch("m1")).toBeNull();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 200);
  });

  it("guard() builds a working bulkhead from plain options", async () => {
    const inner = new FakeFastRead();
    const guarded = guard(inner, { timeoutMs: TIMEOUT_MS, failureThreshold: 1, cooldownMs: 60_000 });
    expect(guarded.mode).toBe("embedded");
    inner.behaviour = "throw";
    expect(await guarded.putMatch(match, 60)).toBe(false);
    expect(guarded.breakerState()).toBe("open");
    inner.behaviour = "succeed";
    expect(await guarded.putMatch(match, 60)).toBe(false);
    expect(inner.calls.putMatch).toBe(1);
  });
});

describe("guarded fast-read: last known presence is a copy", () => {
  it("cannot be changed through the counts it handed out", async () => {
    let fail = false;
    const inner = {
      mode: "embedded" as const,
      reportPresence: async () => {},
      presence: async () => {
        if (fail) throw new Error("down");
        return { total: 3, byRegion: { eu: 3 } };
      },
      putMatch: async () => {},
      getMatch: async () => null,
      deleteMatch: async () => {},
      limit: async () => ({ allowed: true, retryAfterMs: 0 }),
    };
    const guarded = guard(inner, { timeoutMs: 50, failureThreshold: 5, cooldownMs: 1000 });
    const fresh = await guarded.presence("m", 0, 1000);
    fresh.byRegion.eu = 999;
    fail = true;
    expect(await guarded.presence("m", 0, 1000)).toEqual({ total: 3, byRegion: { eu: 3 }, stale: true });
  });
});
