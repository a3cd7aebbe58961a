import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateLag, type LagSample, LagWindow } from "../../../origin/lag.ts";

const T0 = 1_750_000_000_000;

/** A window of samples one second apart, from [produced, consumed] pairs. */
function series(pairs: Array<[number, number]>, stepMs = 1000): LagSample[] {
  return pairs.map(([produced, consumed], i) => ({ at: T0 + i * stepMs, produced, consumed }));
}

function lastAt(samples: LagSample[]): number {
  return samples.at(-1)?.at ?? T0;
}

describe("evaluateLag", () => {
  it("is OK with lag 0 when there are no samples", () => {
    const result = evaluateLag([], T0);
    expect(result).toMatchObject({ status: "OK", lag: 0, slopePerSecond: 0, window: { samples: 0 } });
    expect(result.reason).toBeTruthy();
  });

  it("is OK for a consumer that is caught up", () => {
    const samples = series([
      [5, 5],
      [8, 8],
      [12, 12],
    ]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({ status: "OK", lag: 0 });
  });

  it("is OK when lag touched 0 inside the window, even if it grew afterwards", () => {
    const samples = series([
      [5, 5],
      [8, 6],
      [12, 7],
      [20, 9],
    ]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({ status: "OK", lag: 11 });
  });

  it("is STALLED when the consumed offset does not move while lag grows", () => {
    const samples = series([
      [10, 4],
      [12, 4],
      [15, 4],
    ]);
    const result = evaluateLag(samples, lastAt(samples) + 500);
    expect(result).toMatchObject({ status: "STALLED", lag: 11 });
    expect(result.reason).toContain("4");
  });

  it("is STALLED when the consumed offset does not move while lag stands", () => {
    const samples = series([
      [10, 4],
      [10, 4],
    ]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({
      status: "STALLED",
      lag: 6,
      slopePerSecond: 0,
    });
  });

  it("is WARNING when the consumer moves but lag grows in every interval", () => {
    const samples = series([
      [10, 8],
      [14, 9],
      [19, 10],
      [25, 11],
    ]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({ status: "WARNING", lag: 14 });
  });

  it("is OK, not WARNING, when lag dips once in an otherwise growing window", () => {
    const samples = series([
      [10, 8],
      [14, 9],
      [14, 11],
      [25, 12],
    ]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({ status: "OK" });
  });

  it("needs three samples before calling growth a WARNING", () => {
    const samples = series([
      [10, 8],
      [14, 9],
    ]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({ status: "OK" });
  });

  it("is STOPPED when the consumer has not reported for longer than stoppedAfterMs while behind", () => {
    const samples = series([
      [10, 8],
      [14, 12],
      [16, 15],
    ]);
    const now = lastAt(samples) + 60_001;
    const result = evaluateLag(samples, now);
    expect(result).toMatchObject({ status: "STOPPED", lag: 1 });
    expect(evaluateLag(samples, lastAt(samples) + 60_000).status).toBe("OK");
    expect(evaluateLag(samples, lastAt(samples) + 5_001, { stoppedAfterMs: 5_000 }).status).toBe("STOPPED");
  });

  it("takes STOPPED before STALLED and before a lag-0 sample earlier in the window", () => {
    const stalled = series([
      [10, 4],
      [12, 4],
    ]);
    expect(evaluateLag(stalled, lastAt(stalled) + 120_000).status).toBe("STOPPED");
    const caughtUpThenBehind = series([
      [4, 4],
      [12, 6],
    ]);
    expect(evaluateLag(caughtUpThenBehind, lastAt(caughtUpThenBehind) + 120_000).status).toBe("STOPPED");
  });

  it("is not STOPPED when the silent consumer had no lag", () => {
    const samples = series([
      [10, 10],
      [12, 12],
    ]);
    expect(evaluateLag(samples, lastAt(samples) + 3_600_000)).toMatchObject({ status: "OK", lag: 0 });
  });

  it("waits at least the window's own span before calling STOPPED", () => {
    // Samples ten minutes apart: a ten-minute silence is the normal rhythm, not a stop.
    const samples = series(
      [
        [10, 8],
        [14, 12],
      ],
      600_000,
    );
    expect(evaluateLag(samples, lastAt(samples) + 300_000).status).toBe("OK");
    expect(evaluateLag(samples, lastAt(samples) + 600_001).status).toBe("STOPPED");
  });

  it("reports the window it looked at, sorting unordered samples first", () => {
    const samples = series([
      [10, 9],
      [12, 11],
      [14, 13],
    ]);
    const result = evaluateLag([...samples].reverse(), lastAt(samples));
    expect(result.window).toEqual({ fromMs: T0, toMs: T0 + 2000, samples: 3 });
    expect(result.lag).toBe(1);
  });

  it("counts a consumed offset ahead of produced as lag 0", () => {
    const samples = series([[10, 11]]);
    expect(evaluateLag(samples, lastAt(samples))).toMatchObject({ status: "OK", lag: 0 });
  });

  describe("slopePerSecond", () => {
    it("equals the rate of a linear series", () => {
      // Lag grows by 3 every 500 ms: 6 events per second.
      const samples = Array.from({ length: 10 }, (_, i) => ({
        at: T0 + i * 500,
        produced: 100 + 5 * i,
        consumed: 100 + 2 * i,
      }));
      expect(evaluateLag(samples, lastAt(samples)).slopePerSecond).toBeCloseTo(6, 9);
    });

    it("is negative for a consumer catching up, and 0 for one sample", () => {
      const samples = series([
        [20, 0],
        [20, 5],
        [20, 10],
      ]);
      expect(evaluateLag(samples, lastAt(samples)).slopePerSecond).toBeCloseTo(-5, 9);
      expect(evaluateLag(samples.slice(0, 1), T0).slopePerSecond).toBe(0);
    });

    it("equals the rate of any linear series (property)", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 20 }),
          fc.integer({ min: 1, max: 60_000 }),
          fc.integer({ min: 1, max: 1000 }),
          fc.integer({ min: 0, max: 50 }),
          (n, stepMs, startLag, perStep) => {
            const samples = Array.from({ length: n }, (_, i) => ({
              at: T0 + i * stepMs,
              produced: 1000 + startLag + i * perStep,
              consumed: 1000,
            }));
            const expected = (perStep * 1000) / stepMs;
            const slope = evaluateLag(samples, lastAt(samples)).slopePerSecond;
            expect(Math.abs(slope - expected)).toBeLessThan(1e-6 * Math.max(1, expected));
          },
        ),
      );
    });
  });

  describe("properties", () => {
    const gapsMs = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 20 });

    it("is OK whenever lag stays 0, however long the silence", () => {
      fc.assert(
        fc.property(
          gapsMs,
          fc.array(fc.nat(1000), { minLength: 20, maxLength: 20 }),
          fc.nat(10_000_000),
          (gaps, advances, silence) => {
            let at = T0;
            let offset = 0;
            const samples = gaps.map((gap, i) => {
              at += gap;
              offset += advances[i] ?? 0;
              return { at, produced: offset, consumed: offset };
            });
            const result = evaluateLag(samples, at + silence);
            expect(result.status).toBe("OK");
            expect(result.lag).toBe(0);
          },
        ),
      );
    });

    it("is STALLED for a consumer that never moves while behind, unless stopped", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.nat(50)), {
            minLength: 2,
            maxLength: 20,
          }),
          fc.nat(1000),
          fc.integer({ min: 1, max: 100 }),
          fc.nat(200_000),
          (steps, consumed, initialLag, silence) => {
            let at = T0;
            let produced = consumed + initialLag;
            const samples = steps.map(([gap, more]) => {
              at += gap;
              produced += more;
              return { at, produced, consumed };
            });
            const first = samples[0]?.at ?? T0;
            const stopped = silence > Math.max(60_000, at - first);
            expect(evaluateLag(samples, at + silence).status).toBe(stopped ? "STOPPED" : "STALLED");
          },
        ),
      );
    });
  });
});

describe("LagWindow", () => {
  it("keeps at most size samples, dropping the oldest", () => {
    const window = new LagWindow({ size: 3 });
    for (let i = 0; i < 5; i++) window.record({ at: T0 + i * 1000, produced: i, consumed: 0 });
    expect(window.samples().map((s) => s.produced)).toEqual([2, 3, 4]);
  });

  it("defaults to 20 samples at least 1000 ms apart", () => {
    const window = new LagWindow();
    expect(window.size).toBe(20);
    expect(window.minIntervalMs).toBe(1000);
    for (let i = 0; i < 30; i++) window.record({ at: T0 + i * 1000, produced: i, consumed: 0 });
    expect(window.samples()).toHaveLength(20);
  });

  it("folds a burst closer than minIntervalMs into the newest sample, keeping its time", () => {
    const window = new LagWindow({ minIntervalMs: 1000 });
    expect(window.record({ at: T0, produced: 1, consumed: 1 })).toBe("appended");
    expect(window.record({ at: T0 + 1000, produced: 2, consumed: 1 })).toBe("appended");
    expect(window.record({ at: T0 + 1100, produced: 5, consumed: 2 })).toBe("coalesced");
    expect(window.record({ at: T0 + 1200, produced: 9, consumed: 3 })).toBe("coalesced");
    expect(window.record({ at: T0 + 2200, produced: 9, consumed: 9 })).toBe("appended");
    expect(window.samples()).toEqual([
      { at: T0, produced: 1, consumed: 1 },
      { at: T0 + 1000, produced: 9, consumed: 3 },
      { at: T0 + 2200, produced: 9, consumed: 9 },
    ]);
  });

  it("grows one sample per interval under a steady stream faster than minIntervalMs", () => {
    const window = new LagWindow({ minIntervalMs: 1000 });
    for (let t = 0; t <= 5000; t += 100) window.record({ at: T0 + t, produced: t, consumed: 0 });
    expect(window.samples().map((s) => s.at - T0)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(window.samples().at(-1)?.produced).toBe(5000);
  });

  it("keeps every pair of samples at least minIntervalMs apart (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(3000), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (gaps, size) => {
          const window = new LagWindow({ size, minIntervalMs: 1000 });
          let at = T0;
          for (const gap of gaps) {
            at += gap;
            window.record({ at, produced: at, consumed: T0 });
          }
          const samples = window.samples();
          expect(samples.length).toBeLessThanOrEqual(size);
          for (let i = 1; i < samples.length; i++) {
            expect((samples[i]?.at ?? 0) - (samples[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
          }
          // The newest offsets are always in the window, at most minIntervalMs behind their time.
          if (gaps.length > 0) {
            expect(samples.at(-1)?.produced).toBe(at);
            expect(at - (samples.at(-1)?.at ?? 0)).toBeLessThan(1000);
          }
        },
      ),
    );
  });

  it("rejects samples older than the newest or with non-finite fields", () => {
    const window = new LagWindow();
    window.record({ at: T0, produced: 1, consumed: 1 });
    expect(window.record({ at: T0 - 1, produced: 2, consumed: 2 })).toBe("rejected");
    expect(window.record({ at: T0 + 5000, produced: Number.NaN, consumed: 2 })).toBe("rejected");
    expect(window.samples()).toEqual([{ at: T0, produced: 1, consumed: 1 }]);
  });

  it("does not let callers mutate its samples", () => {
    const window = new LagWindow();
    window.record({ at: T0, produced: 1, consumed: 1 });
    const copy = window.samples();
    if (copy[0]) copy[0].produced = 99;
    expect(window.samples()[0]?.produced).toBe(1);
  });

  it("round-trips through JSON, as a Durable Object would persist it", () => {
    const window = new LagWindow({ size: 5, minIntervalMs: 500 });
    window.record({ at: T0, produced: 3, consumed: 1 });
    window.record({ at: T0 + 600, produced: 4, consumed: 2 });
    const restored = LagWindow.parse(JSON.parse(JSON.stringify(window)));
    expect(restored.ok).toBe(true);
    if (restored.ok) {
      expect(restored.window.toJSON()).toEqual(window.toJSON());
      expect(restored.window.evaluate(T0 + 600)).toEqual(evaluateLag(window.samples(), T0 + 600));
    }
  });

  it("reports an unreadable stored window as a value", () => {
    for (const value of [
      null,
      {},
      { size: 0, minIntervalMs: 0, samples: [] },
      { size: 3, minIntervalMs: 0, samples: [{}] },
    ]) {
      const result = LagWindow.parse(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/lag window/i);
    }
  });

  it("throws on nonsensical options, which are programming errors", () => {
    expect(() => new LagWindow({ size: 0 })).toThrow(RangeError);
    expect(() => new LagWindow({ minIntervalMs: -1 })).toThrow(RangeError);
  });
});
