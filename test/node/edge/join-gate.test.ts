/** The front door's backpressure (edge/join-gate.ts): joins past the limit are told when to come back, spread over a rush. */
import { describe, expect, it } from "vitest";
import { JoinGate } from "../../../edge/join-gate.ts";

const half = () => 0.5;

describe("the join gate", () => {
  it("lets joins through up to its limit, then turns the next away with a retry hint", () => {
    const gate = new JoinGate(3);
    expect([gate.tryEnter(half), gate.tryEnter(half), gate.tryEnter(half)]).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    const refused = gate.tryEnter(half);
    expect(refused.ok).toBe(false);
    expect(gate.joining).toBe(3);
    // A place frees up: the next join goes through.
    gate.done(5);
    expect(gate.tryEnter(half)).toEqual({ ok: true });
  });

  it("tells the k-th viewer of a rush to come back later than the one before (a ticket), within a minute", () => {
    const gate = new JoinGate(2);
    gate.tryEnter(half);
    gate.tryEnter(half);
    // Joins have been taking 200 ms each: two seats per 200 ms.
    for (let i = 0; i < 50; i++) gate.done(200);
    gate.tryEnter(half);
    gate.tryEnter(half);
    const hints = Array.from({ length: 700 }, () => {
      const answer = gate.tryEnter(half);
      return answer.ok ? -1 : answer.retryAfterMs;
    });
    expect(hints.every((ms) => ms >= 1000 && ms <= 60_000)).toBe(true);
    expect(hints.every((ms, i) => i === 0 || ms >= (hints[i - 1] ?? 0))).toBe(true);
    // The 100th turned away waits about the time 100 seats take (100 / 2 × 200 ms = 10 s, and the second).
    expect(hints[99]).toBeGreaterThan(9_000);
    expect(hints[99]).toBeLessThan(13_000);
    expect(hints.at(-1)).toBe(60_000);
  });

  it("spreads one rush's hints with jitter, and starts a new rush once the door has room again", () => {
    const gate = new JoinGate(2);
    gate.tryEnter(half);
    gate.tryEnter(half);
    const low = gate.tryEnter(() => 0);
    const high = gate.tryEnter(() => 0.999);
    expect(low.ok || high.ok).toBe(false);
    if (!low.ok && !high.ok) expect(high.retryAfterMs).toBeGreaterThan(low.retryAfterMs);
    gate.done(5);
    gate.done(5);
    gate.tryEnter(half);
    gate.tryEnter(half);
    const fresh = gate.tryEnter(half);
    expect(fresh.ok ? 0 : fresh.retryAfterMs).toBeLessThan(1100);
  });
});
