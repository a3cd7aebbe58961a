import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { backoffCap } from "../../../client/full-jitter-delay.ts";
import { fullJitterDelay, type Subscription, subscribe } from "../../../client/index.ts";
import { CLOSE_CODES } from "../../../protocol/live-messages.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { TestRoom } from "./support/test-room.ts";

const BUCKET_MS = 100;
const BACKOFF = { baseMs: 500, maxMs: 30_000 };
const CLIENTS = 1000;
const ATTEMPTS = 7; // 0..6: caps 0.5, 1, 2, 4, 8, 16, 30 s

function buckets(times: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) {
    const bucket = Math.floor(t / BUCKET_MS);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return counts;
}

function peak(times: number[]): number {
  return Math.max(...buckets(times).values());
}

/**
 * The most a 100 ms bucket may hold when `expected` is the count a uniform spread would put
 * there: three times that, with Poisson slack (five standard deviations) for small counts,
 * where "three times" would be within ordinary noise.
 */
function ceilingFor(expected: number): number {
  return Math.max(3 * expected, expected + 5 * Math.sqrt(expected) + 3);
}

/** Each client's wait before each attempt, as `fullJitterDelay` draws them. */
function simulate(delay: (attempt: number, random: () => number) => number): number[][] {
  return Array.from({ length: CLIENTS }, (_, client) => {
    const random = seededRandom(0xc0ffee + client);
    return Array.from({ length: ATTEMPTS }, (_, attempt) => delay(attempt, random));
  });
}

/** When each client's attempt k happens, counted from the drop: the sum of its waits so far. */
function arrivalTimes(delays: number[][], attempt: number): number[] {
  return delays.map((waits) => waits.slice(0, attempt + 1).reduce((a, b) => a + b, 0));
}

/** The busiest bucket of two consecutive waves, against the ceiling a uniform spread allows. */
function consecutiveWavesWithinCeiling(delays: number[][]): boolean {
  for (let k = 0; k + 1 < ATTEMPTS; k++) {
    const both = [...arrivalTimes(delays, k), ...arrivalTimes(delays, k + 1)];
    // A sum of waits is no denser than its widest uniform part, so each wave puts at most
    // N · bucket / cap in any bucket.
    const expected =
      (CLIENTS * BUCKET_MS) / backoffCap(k, BACKOFF) + (CLIENTS * BUCKET_MS) / backoffCap(k + 1, BACKOFF);
    if (peak(both) > ceilingFor(expected)) return false;
  }
  return true;
}

describe("fullJitterDelay", () => {
  const delays = simulate((attempt, random) => fullJitterDelay(attempt, BACKOFF, random));

  it("spreads each wave evenly over [0, cap]", () => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const cap = backoffCap(attempt, BACKOFF);
      const wave = delays.map((waits) => waits[attempt] ?? Number.NaN);
      for (const d of wave) {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(cap);
      }
      const mean = wave.reduce((a, b) => a + b, 0) / wave.length;
      expect(Math.abs(mean - cap / 2)).toBeLessThan(0.15 * (cap / 2));
      const expected = CLIENTS / Math.ceil(cap / BUCKET_MS);
      expect(peak(wave), `attempt ${attempt}`).toBeLessThanOrEqual(ceilingFor(expected));
      expect(peak(wave) / CLIENTS).toBeLessThanOrEqual(attempt === 0 ? 0.3 : 0.15);
    }
  });

  it("keeps consecutive waves from piling into the same bucket", () => {
    expect(consecutiveWavesWithinCeiling(delays)).toBe(true);
    // The check has teeth: the same backoff without jitter puts every client in one bucket.
    const fixed = simulate((attempt) => backoffCap(attempt, BACKOFF));
    expect(consecutiveWavesWithinCeiling(fixed)).toBe(false);
  });

  it("is min(max, base·2^attempt) times the random draw", () => {
    expect(fullJitterDelay(0, BACKOFF, () => 0.5)).toBe(250);
    expect(fullJitterDelay(3, BACKOFF, () => 0.5)).toBe(2000);
    expect(fullJitterDelay(10, BACKOFF, () => 0.5)).toBe(15_000);
    expect(fullJitterDelay(10_000, BACKOFF, () => 0.999)).toBeLessThanOrEqual(30_000);
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, r) => {
          const d = fullJitterDelay(attempt, { baseMs, maxMs }, () => r);
          return d >= 0 && d <= Math.min(maxMs, baseMs * 2 ** attempt) && Number.isFinite(d);
        },
      ),
    );
  });
});

describe("50 real clients dropped at once", () => {
  const clients: Subscription<unknown>[] = [];
  let room: TestRoom | undefined;
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await room?.close();
  });

  it("come back spread over the backoff window, not in one burst", async () => {
    room = await TestRoom.start({ matchId: "m1" });
    const live = room;
    const windowMs = 1000;
    for (let i = 0; i < 50; i++) {
      clients.push(
        subscribe({
          baseUrl: live.baseUrl,
          matchId: "m1",
          WebSocket,
          backoff: { baseMs: windowMs, maxMs: windowMs },
          random: seededRandom(i + 1),
        }),
      );
    }
    await vi.waitFor(() => expect(clients.every((c) => c.status === "open")).toBe(true));
    expect(live.connections).toHaveLength(50);

    const droppedAt = performance.now();
    live.dropAll(CLOSE_CODES.serviceRestart, "deploy");
    await vi.waitFor(() => expect(live.connections).toHaveLength(100), { timeout: 3000 });

    const returns = live.connections.slice(50).map((c) => c.at - droppedAt);
    expect(Math.max(...returns)).toBeLessThan(windowMs + 200);
    const share = peak(returns) / returns.length;
    expect(share).toBeLessThan(0.3);
    expect(buckets(returns).size).toBeGreaterThanOrEqual(6);
    for (const c of live.connections.slice(50)) expect(c.url.searchParams.get("since")).toBe("0");
    await vi.waitFor(() => expect(clients.every((c) => c.status === "open")).toBe(true));
  });
});
