import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { CircuitBreaker } from "../../../fast-read/circuit-breaker.ts";

/** A breaker on a hand-driven clock: `clock.t` is what `now()` answers. */
function breakerAt(options: { failureThreshold?: number; cooldownMs?: number; timeoutMs?: number } = {}) {
  const clock = { t: 1_000_000 };
  const breaker = new CircuitBreaker({
    failureThreshold: options.failureThreshold ?? 3,
    cooldownMs: options.cooldownMs ?? 5_000,
    timeoutMs: options.timeoutMs ?? 1_000,
    now: () => clock.t,
  });
  return { breaker, clock };
}

const succeed = <T>(value: T) => vi.fn(async () => value);
const fail = () =>
  vi.fn(async (): Promise<never> => {
    throw new Error("down");
  });
/** Never settles, so only the breaker's own timeout ends the call. */
const hang = () => vi.fn(() => new Promise<never>(() => {}));

/** Records `n` failed calls (errors) against the breaker. */
async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.run(fail());
}

describe("circuit breaker: closed", () => {
  it("passes calls through and returns their value", async () => {
    const { breaker } = breakerAt();
    const op = succeed(42);
    expect(await breaker.run(op)).toEqual({ ok: true, value: 42 });
    expect(op).toHaveBeenCalledTimes(1);
    expect(breaker.state()).toBe("closed");
  });

  it("reports an operation's error as reason 'error' with the error attached", async () => {
    const { breaker } = breakerAt();
    const result = await breaker.run(fail());
    expect(result).toMatchObject({ ok: false, reason: "error" });
    expect(result.ok === false && (result.error as Error).message).toBe("down");
    expect(breaker.state()).toBe("closed");
  });

  it("treats a synchronous throw like a rejection", async () => {
    const { breaker } = breakerAt();
    const result = await breaker.run(() => {
      throw new Error("sync");
    });
    expect(result).toMatchObject({ ok: false, reason: "error" });
  });

  it("stays closed below the threshold", async () => {
    const { breaker } = breakerAt({ failureThreshold: 3 });
    await failTimes(breaker, 2);
    expect(breaker.state()).toBe("closed");
  });

  it("a success in between resets the consecutive-failure count", async () => {
    const { breaker } = breakerAt({ failureThreshold: 3 });
    await failTimes(breaker, 2);
    await breaker.run(succeed("ok"));
    await failTimes(breaker, 2);
    expect(breaker.state()).toBe("closed");
    await failTimes(breaker, 1);
    expect(breaker.state()).toBe("open");
  });
});

describe("circuit breaker: opening", () => {
  it("opens after failureThreshold consecutive errors", async () => {
    const { breaker } = breakerAt({ failureThreshold: 3 });
    await failTimes(breaker, 3);
    expect(breaker.state()).toBe("open");
  });

  it("counts a timeout as a failure, reported with reason 'timeout'", async () => {
    const { breaker } = breakerAt({ failureThreshold: 3, timeoutMs: 20 });
    await failTimes(breaker, 2);
    expect(breaker.state()).toBe("closed");
    expect(await breaker.run(hang())).toEqual({ ok: false, reason: "timeout" });
    expect(breaker.state()).toBe("open");
  });

  it("opens on timeouts alone", async () => {
    const { breaker } = breakerAt({ failureThreshold: 2, timeoutMs: 20 });
    await breaker.run(hang());
    await breaker.run(hang());
    expect(breaker.state()).toBe("open");
  });

  it("a slow call that finishes inside the timeout is a success", async () => {
    const { breaker } = breakerAt({ timeoutMs: 200 });
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve("late but fine"), 5));
    expect(await breaker.run(slow)).toEqual({ ok: true, value: "late but fine" });
  });
});

describe("circuit breaker: open", () => {
  it("rejects fast with reason 'open' without calling the operation", async () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 2, cooldownMs: 5_000 });
    await failTimes(breaker, 2);
    clock.t += 4_999;
    const op = succeed("never");
    expect(await breaker.run(op)).toEqual({ ok: false, reason: "open" });
    expect(op).not.toHaveBeenCalled();
    expect(breaker.state()).toBe("open");
  });

  it("is half-open once cooldownMs has passed", async () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 2, cooldownMs: 5_000 });
    await failTimes(breaker, 2);
    clock.t += 5_000;
    expect(breaker.state()).toBe("half-open");
  });
});

describe("circuit breaker: half-open", () => {
  async function halfOpen(failureThreshold = 3) {
    const fixture = breakerAt({ failureThreshold, cooldownMs: 5_000 });
    await failTimes(fixture.breaker, failureThreshold);
    fixture.clock.t += 5_000;
    expect(fixture.breaker.state()).toBe("half-open");
    return fixture;
  }

  it("lets exactly one trial call through; a concurrent second call is rejected 'open'", async () => {
    const { breaker } = await halfOpen();
    let release: (value: string) => void = () => {};
    const trialOp = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const secondOp = succeed("second");

    const trial = breaker.run(trialOp);
    const second = await breaker.run(secondOp);
    expect(second).toEqual({ ok: false, reason: "open" });
    expect(secondOp).not.toHaveBeenCalled();
    expect(trialOp).toHaveBeenCalledTimes(1);

    release("trial");
    expect(await trial).toEqual({ ok: true, value: "trial" });
  });

  it("a successful trial closes it, and it then takes N new failures to open again", async () => {
    const { breaker } = await halfOpen(3);
    expect(await breaker.run(succeed("ok"))).toEqual({ ok: true, value: "ok" });
    expect(breaker.state()).toBe("closed");
    await failTimes(breaker, 2);
    expect(breaker.state()).toBe("closed");
    await failTimes(breaker, 1);
    expect(breaker.state()).toBe("open");
  });

  it("a failed trial re-opens it for another full cooldown", async () => {
    const { breaker, clock } = await halfOpen();
    expect(await breaker.run(fail())).toMatchObject({ ok: false, reason: "error" });
    expect(breaker.state()).toBe("open");
    clock.t += 4_999;
    const op = succeed("x");
    expect(await breaker.run(op)).toEqual({ ok: false, reason: "open" });
    expect(op).not.toHaveBeenCalled();
    clock.t += 1;
    expect(breaker.state()).toBe("half-open");
  });

  it("a timed-out trial re-opens it too", async () => {
    const fixture = breakerAt({ failureThreshold: 1, cooldownMs: 5_000, timeoutMs: 20 });
    await failTimes(fixture.breaker, 1);
    fixture.clock.t += 5_000;
    expect(await fixture.breaker.run(hang())).toEqual({ ok: false, reason: "timeout" });
    expect(fixture.breaker.state()).toBe("open");
  });

  it("after a trial finishes, the next cooldown allows a new trial", async () => {
    const { breaker, clock } = await halfOpen();
    await breaker.run(fail());
    clock.t += 5_000;
    const op = succeed("second trial");
    expect(await breaker.run(op)).toEqual({ ok: true, value: "second trial" });
    expect(op).toHaveBeenCalledTimes(1);
  });
});

describe("circuit breaker: stats", () => {
  it("counts calls, failures, timeouts and rejections, and they add up", async () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 3, cooldownMs: 5_000, timeoutMs: 20 });
    await breaker.run(succeed(1)); // call, success
    await breaker.run(fail()); // call, failure
    await breaker.run(succeed(2)); // call, success (resets the run)
    await breaker.run(fail()); // call, failure
    await breaker.run(hang()); // call, timeout
    await breaker.run(fail()); // call, failure: third in a row, opens
    await breaker.run(succeed(3)); // rejected
    await breaker.run(succeed(4)); // rejected
    clock.t += 5_000;
    await breaker.run(succeed(5)); // call (trial), success: closes

    expect(breaker.stats).toEqual({ calls: 7, failures: 3, timeouts: 1, rejected: 2 });
    const successes = 3;
    expect(breaker.stats.calls).toBe(successes + breaker.stats.failures + breaker.stats.timeouts);
  });
});

describe("circuit breaker: property", () => {
  it("with a fixed clock, opens exactly when the run of consecutive failures first reaches the threshold", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        async (failureThreshold, outcomes) => {
          const breaker = new CircuitBreaker({
            failureThreshold,
            cooldownMs: 1_000,
            timeoutMs: 1_000,
            now: () => 0,
          });
          let run = 0;
          let opened = false;
          let attempted = 0;
          for (const succeeds of outcomes) {
            const op = succeeds ? succeed("ok") : fail();
            const result = await breaker.run(op);
            if (opened) {
              expect(result).toEqual({ ok: false, reason: "open" });
              expect(op).not.toHaveBeenCalled();
            } else {
              attempted++;
              expect(result.ok).toBe(succeeds);
              run = succeeds ? 0 : run + 1;
              if (run >= failureThreshold) opened = true;
            }
            expect(breaker.state()).toBe(opened ? "open" : "closed");
          }
          expect(breaker.stats.calls).toBe(attempted);
          expect(breaker.stats.rejected).toBe(outcomes.length - attempted);
        },
      ),
    );
  });
});

describe("circuit breaker: calls that overlap a trip", () => {
  it("does not let a slow success that began before the trip close an open breaker", async () => {
    const { breaker } = breakerAt({ failureThreshold: 2 });
    let finish: (value: string) => void = () => {};
    const slow = breaker.run(() => new Promise<string>((resolve) => (finish = resolve)));
    await failTimes(breaker, 2);
    expect(breaker.state()).toBe("open");
    finish("late");
    expect(await slow).toEqual({ ok: true, value: "late" });
    expect(breaker.state()).toBe("open");
  });

  it("does not let a late failure from before the trip extend the cooldown", async () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 2, cooldownMs: 5_000 });
    let reject: (error: Error) => void = () => {};
    const slow = breaker.run(() => new Promise<string>((_resolve, r) => (reject = r)));
    await failTimes(breaker, 2);
    clock.t += 4_000;
    reject(new Error("late"));
    await slow;
    clock.t += 1_000;
    expect(breaker.state()).toBe("half-open");
  });
});
