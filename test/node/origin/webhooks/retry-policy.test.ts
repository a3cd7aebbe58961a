import { describe, expect, it } from "vitest";
import {
  backoffCeilingS,
  DEFAULT_RETRY_POLICY,
  fullJitterDelayS,
  QUEUES_MAX_DELAY_S,
  retryDecision,
  retrySchedule,
} from "../../../../origin/webhooks/retry-policy.ts";
import { seededRandom } from "../../../support/seeded-random.ts";

const policy = DEFAULT_RETRY_POLICY;
const DAY_MS = 86_400_000;

describe("the webhook retry policy", () => {
  it("doubles its ceiling from the base and stops at the cap (never beyond Queues' 12 hours)", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffCeilingS(n, policy))).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
    expect(backoffCeilingS(1000, policy)).toBe(3600);
    expect(backoffCeilingS(50, { ...policy, maxDelayS: 10 ** 9 })).toBe(QUEUES_MAX_DELAY_S);
  });

  it("full jitter: whole seconds from 0 to the ceiling, both ends reachable", () => {
    for (const attempt of [1, 3, 8, 40]) {
      const ceiling = backoffCeilingS(attempt, policy);
      expect(fullJitterDelayS(attempt, policy, 0)).toBe(0);
      expect(fullJitterDelayS(attempt, policy, 0.999_999_9)).toBe(ceiling);
      const random = seededRandom(attempt);
      for (let i = 0; i < 1000; i++) {
        const delay = fullJitterDelayS(attempt, policy, random());
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it("retries until the 24-hour window is over, then gives up", () => {
    const base = { attempts: 5, enqueuedAtMs: 0, policy, random: 0.5 };
    expect(retryDecision({ ...base, nowMs: DAY_MS - 1 })).toEqual({ kind: "retry", delaySeconds: 240 });
    expect(retryDecision({ ...base, nowMs: DAY_MS })).toEqual({ kind: "dead", reason: "window" });
    expect(retryDecision({ ...base, attempts: policy.maxAttempts, nowMs: 1000 })).toEqual({
      kind: "dead",
      reason: "attempts",
    });
  });

  it("the default schedule covers 24 hours: the window is reached at retry 30 at the earliest, 54 on average, and 99 allowed retries average 46 hours", () => {
    const rows = retrySchedule(policy);
    expect(rows).toHaveLength(policy.maxAttempts - 1);
    // Every delay at its ceiling reaches 24 h at retry 30; on average full jitter takes 54.
    const latest = rows.find((r) => r.latestS >= 86_400);
    const expected = rows.find((r) => r.expectedS >= 86_400);
    expect(latest?.afterAttempt).toBe(30);
    expect(expected?.afterAttempt).toBe(54);
    expect(rows.at(-1)?.expectedS).toBeGreaterThan(46 * 3600);
  });

  it("simulated: 10,000 deliveries that always fail are each retried for the whole window, and none runs out of attempts first", () => {
    const random = seededRandom(14);
    let mostAttempts = 0;
    for (let run = 0; run < 10_000; run++) {
      let now = 0;
      for (let attempts = 1; ; attempts++) {
        const decision = retryDecision({ attempts, enqueuedAtMs: 0, nowMs: now, policy, random: random() });
        if (decision.kind === "dead") {
          expect(decision.reason).toBe("window");
          expect(now).toBeGreaterThanOrEqual(DAY_MS);
          mostAttempts = Math.max(mostAttempts, attempts);
          break;
        }
        now += decision.delaySeconds * 1000;
      }
    }
    // The unluckiest of 10,000 needed this many attempts (printed for docs/webhooks.md).
    console.log("most attempts to cover the window:", mostAttempts);
    expect(mostAttempts).toBeLessThan(policy.maxAttempts);
  });
});
