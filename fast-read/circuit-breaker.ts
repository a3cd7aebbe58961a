/**
 * A circuit breaker with a timeout, so a slow or dead dependency fails fast instead of
 * holding every caller (and their callers) while it retries into a brownout.
 *
 * closed → (failureThreshold failures in a row) → open → (cooldownMs) → half-open → one
 * trial call → closed on success, open again on failure. Time comes from `now`, so tests
 * drive it without waiting.
 */
export type BreakerState = "closed" | "open" | "half-open";

export type BreakerResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: "open" | "timeout" | "error"; error?: unknown };

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  timeoutMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  /** Bumped each time the breaker opens, so calls that began before a trip cannot undo it. */
  private generation = 0;
  private readonly now: () => number;
  /** Counters for /metrics. */
  readonly stats = { calls: 0, failures: 0, timeouts: 0, rejected: 0 };

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  state(): BreakerState {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.options.cooldownMs ? "half-open" : "open";
  }

  async run<T>(operation: () => Promise<T>): Promise<BreakerResult<T>> {
    const state = this.state();
    if (state === "open" || (state === "half-open" && this.trialInFlight)) {
      this.stats.rejected++;
      return { ok: false, reason: "open" };
    }
    const trial = state === "half-open";
    if (trial) this.trialInFlight = true;
    const startedIn = this.generation;
    this.stats.calls++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), this.options.timeoutMs);
      });
      const outcome = await Promise.race([operation().then((value) => ({ value })), timeout]);
      if (outcome === "timeout") {
        this.stats.timeouts++;
        this.recordFailure(trial, startedIn);
        return { ok: false, reason: "timeout" };
      }
      // Only the trial closes an open breaker: a slow success from before the trip does not.
      if (trial || this.openedAt === null) {
        this.failures = 0;
        this.openedAt = null;
      }
      return { ok: true, value: outcome.value };
    } catch (error) {
      this.stats.failures++;
      this.recordFailure(trial, startedIn);
      return { ok: false, reason: "error", error };
    } finally {
      clearTimeout(timer);
      if (trial) this.trialInFlight = false;
    }
  }

  /** A failed trial reopens at once; a late failure from before the trip neither counts nor extends the cooldown. */
  private recordFailure(trial: boolean, startedIn: number): void {
    if (!trial && (this.openedAt !== null || startedIn !== this.generation)) return;
    this.failures++;
    if (trial || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      this.generation++;
    }
  }
}
