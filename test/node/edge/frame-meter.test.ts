import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACK_EVERY_PATCHES } from "../../../client/ack-policy.ts";
import { parseConfig } from "../../../config/crease-config.ts";
import { FRAME_COSTS, type FrameMeter, MAX_FRAME_COST, meterFrame } from "../../../edge/frame-meter.ts";

const defaults = parseConfig({}).room;
const policy = { burst: defaults.frameBurst, perSecond: defaults.framePerSecond };

/** Sends frames of `cost` at the given times; the index of the first refused, or null. */
function firstRefused(times: readonly number[], cost: number, p = policy): number | null {
  let meter: FrameMeter | null = null;
  for (const [i, at] of times.entries()) {
    const verdict = meterFrame(meter, cost, at, p);
    if (!verdict.allowed) return i;
    meter = verdict.meter;
  }
  return null;
}

describe("meterFrame", () => {
  it("starts full, spends, and refills at the rate up to the burst", () => {
    const p = { burst: 20, perSecond: 5 };
    const first = meterFrame(null, 10, 0, p);
    expect(first).toEqual({ allowed: true, meter: { tokens: 10, at: 0 } });
    const second = meterFrame(first.meter, 10, 0, p);
    expect(second.allowed).toBe(true);
    expect(meterFrame(second.meter, 10, 0, p).allowed).toBe(false);
    // 2 s at 5 a second: 10 tokens back.
    expect(meterFrame(second.meter, 10, 2000, p).allowed).toBe(true);
    // Never above the burst, however long it was quiet.
    expect(meterFrame({ tokens: 0, at: 0 }, 0, 3_600_000, p).meter.tokens).toBe(20);
  });

  it("refills nothing when the clock goes backwards, and refuses without spending", () => {
    const p = { burst: 20, perSecond: 5 };
    expect(meterFrame({ tokens: 3, at: 5000 }, 1, 1000, p).meter.tokens).toBe(2);
    const refused = meterFrame({ tokens: 3, at: 0 }, 10, 0, p);
    expect(refused).toEqual({ allowed: false, meter: { tokens: 3, at: 0 } });
  });

  it("cuts a flood of 1,500 resumes within the first few frames, at the defaults", () => {
    const flood = Array.from({ length: 1500 }, (_, i) => i * 0.1); // 1,500 frames in 150 ms
    const cut = firstRefused(flood, FRAME_COSTS.resume);
    expect(cut).not.toBeNull();
    expect(cut).toBeLessThanOrEqual(Math.floor(policy.burst / FRAME_COSTS.resume) + 1);
  });

  it("never trips on the client library: an ack per 20 patches at 100 versions a second, a 500-version catch-up burst, a resume per gap", () => {
    const times: number[] = [];
    // A catch-up of 500 versions applied at once: 25 acks in the same millisecond...
    for (let i = 0; i < 500 / ACK_EVERY_PATCHES; i++) times.push(0);
    // ...then a minute of a fast replay (100 versions a second: 5 acks a second).
    for (let t = 1; t <= 60_000; t += 1000 / (100 / ACK_EVERY_PATCHES)) times.push(t);
    expect(firstRefused(times, FRAME_COSTS.ping)).toBeNull();
    // A resume every 10 s (a gap) alongside 2 acks a second.
    let meter: FrameMeter | null = null;
    for (let t = 0; t < 600_000; t += 500) {
      const cost = t % 10_000 === 0 ? FRAME_COSTS.resume : FRAME_COSTS.ping;
      const verdict = meterFrame(meter, cost, t, policy);
      expect(verdict.allowed).toBe(true);
      meter = verdict.meter;
    }
  });

  it("lets through, over any stretch, no more than the burst plus the rate", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        let at = 0;
        let meter: FrameMeter | null = null;
        let spent = 0;
        for (const gap of gaps) {
          at += gap;
          const verdict = meterFrame(meter, FRAME_COSTS.ping, at, policy);
          meter = verdict.meter;
          if (verdict.allowed) spent += FRAME_COSTS.ping;
        }
        return spent <= policy.burst + (at / 1000) * policy.perSecond + 1e-9;
      }),
    );
  });

  it("keeps the configured burst at least the dearest frame", () => {
    expect(() => parseConfig({ ROOM_FRAME_BURST: String(MAX_FRAME_COST - 1) })).toThrow(/ROOM_FRAME_BURST/);
    expect(parseConfig({ ROOM_FRAME_BURST: String(MAX_FRAME_COST) }).room.frameBurst).toBe(MAX_FRAME_COST);
  });
});
