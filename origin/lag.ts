/**
 * Consumer lag as a short time series, classified the way Burrow classifies Kafka consumers.
 *
 * Lag that accumulates is the failure that never throws: every event is accepted, nothing
 * errors, and the feed quietly falls minutes behind. A single lag number cannot tell "busy"
 * from "stuck", so we keep a window of samples and look at how the consumed offset and the
 * lag move across it. See https://github.com/linkedin/Burrow/wiki/Consumer-Lag-Evaluation-Rules.
 *
 * Pure: time arrives in the samples and as `nowMs`; nothing here reads a clock. The window is
 * plain data so a Durable Object can persist it and read it back after hibernation.
 */

import { z } from "zod";

/** One measurement. Offsets are whatever the measuring object counts, e.g. received and applied seq. */
export type LagSample = {
  /** Milliseconds on the measuring object's own clock; samples are compared only with each other and `nowMs`. */
  at: number;
  /** Newest offset produced (e.g. the highest seq received). */
  produced: number;
  /** Newest offset consumed (e.g. the highest seq applied). */
  consumed: number;
};

/** Burrow's partition states, minus REWIND (our offsets never go back on purpose). */
export type LagStatus = "OK" | "WARNING" | "STALLED" | "STOPPED";

/** What {@link evaluateLag} concluded and the numbers it concluded it from. */
export type LagEvaluation = {
  status: LagStatus;
  /** Lag of the newest sample, never negative. */
  lag: number;
  /** Least-squares slope of lag over time, in events per second; 0 with fewer than 2 samples. */
  slopePerSecond: number;
  window: { fromMs: number; toMs: number; samples: number };
  /** A short sentence for dashboards and logs. */
  reason: string;
};

/** The persisted form of a {@link LagWindow}: what `JSON.stringify` writes and {@link LagWindow.parse} reads. */
export type LagWindowState = { size: number; minIntervalMs: number; samples: LagSample[] };

/** What {@link LagWindow.record} did with a sample. */
export type RecordOutcome = "appended" | "coalesced" | "rejected";

export const DEFAULT_LAG_WINDOW_SIZE = 20;
export const DEFAULT_MIN_INTERVAL_MS = 1000;
export const DEFAULT_STOPPED_AFTER_MS = 60_000;

const sampleSchema = z.object({ at: z.number(), produced: z.number(), consumed: z.number() });
const stateSchema = z.object({
  size: z.number().int().min(1),
  minIntervalMs: z.number().min(0),
  samples: z.array(sampleSchema),
});

/**
 * A bounded window of lag samples: at most `size` of them, at least `minIntervalMs` apart.
 *
 * A record closer than `minIntervalMs` to the newest sample updates that sample's offsets
 * but keeps its time (Burrow's `min-distance`), so a burst of events costs one slot, the
 * newest offsets are always in the window, and a steady stream faster than `minIntervalMs`
 * still adds one sample per interval instead of sliding a single sample forever. The price:
 * the newest sample's time can be up to `minIntervalMs` older than its offsets.
 *
 * Persist `toJSON()` (plain data; `JSON.stringify(window)` calls it) rather than the instance:
 * storage's structured clone would drop the private samples. Read it back with {@link LagWindow.parse}.
 */
export class LagWindow {
  readonly size: number;
  readonly minIntervalMs: number;
  #samples: LagSample[];

  constructor(opts: { size?: number; minIntervalMs?: number; samples?: LagSample[] } = {}) {
    const size = opts.size ?? DEFAULT_LAG_WINDOW_SIZE;
    const minIntervalMs = opts.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    if (!Number.isInteger(size) || size < 1) throw new RangeError("LagWindow: size must be an integer >= 1");
    if (!Number.isFinite(minIntervalMs) || minIntervalMs < 0) {
      throw new RangeError("LagWindow: minIntervalMs must be a finite number >= 0");
    }
    this.size = size;
    this.minIntervalMs = minIntervalMs;
    this.#samples = [];
    for (const sample of opts.samples ?? []) this.record(sample);
  }

  /**
   * Reads a window back from storage. Errors are values: a caller that finds the stored window
   * unreadable can start a fresh one, since losing a minute of lag history harms nothing.
   */
  static parse(value: unknown): { ok: true; window: LagWindow } | { ok: false; message: string } {
    const parsed = stateSchema.safeParse(value);
    if (!parsed.success)
      return { ok: false, message: `Unreadable lag window: ${z.prettifyError(parsed.error)}` };
    return { ok: true, window: new LagWindow(parsed.data) };
  }

  /**
   * Adds a sample, or folds it into the newest one (keeping that one's time) if it is closer
   * than `minIntervalMs`. A sample
   * older than the newest, or with a non-finite field, is rejected: an out-of-order reading
   * would make the window's time run backwards.
   */
  record(sample: LagSample): RecordOutcome {
    if (
      !Number.isFinite(sample.at) ||
      !Number.isFinite(sample.produced) ||
      !Number.isFinite(sample.consumed)
    ) {
      return "rejected";
    }
    const copy = { at: sample.at, produced: sample.produced, consumed: sample.consumed };
    const last = this.#samples.at(-1);
    if (last !== undefined && copy.at < last.at) return "rejected";
    if (last !== undefined && copy.at - last.at < this.minIntervalMs) {
      this.#samples[this.#samples.length - 1] = { ...copy, at: last.at };
      return "coalesced";
    }
    this.#samples.push(copy);
    if (this.#samples.length > this.size) this.#samples.splice(0, this.#samples.length - this.size);
    return "appended";
  }

  /** The samples, oldest first, as copies so callers cannot bend the window's invariants. */
  samples(): LagSample[] {
    return this.#samples.map((sample) => ({ ...sample }));
  }

  /** Shorthand for `evaluateLag(this.samples(), nowMs, opts)`. */
  evaluate(nowMs: number, opts?: { stoppedAfterMs?: number }): LagEvaluation {
    return evaluateLag(this.#samples, nowMs, opts);
  }

  toJSON(): LagWindowState {
    return { size: this.size, minIntervalMs: this.minIntervalMs, samples: this.samples() };
  }
}

/**
 * Classifies a window of samples with Burrow's rules, first match wins:
 * 1. no samples: OK;
 * 2. STOPPED: the newest sample is older than max(`stoppedAfterMs`, the window's own span) and
 *    lag is positive: the consumer stopped reporting while behind;
 * 3. OK: some sample has lag 0: the consumer caught up within the window;
 * 4. STALLED: at least 2 samples, the consumed offset did not move across the window, and lag
 *    stands or grows;
 * 5. WARNING: the consumer moves, yet lag grew in every interval of a window of at least 3;
 * 6. otherwise OK.
 * Samples need not be sorted; they are ordered by `at` first.
 */
export function evaluateLag(
  samples: readonly LagSample[],
  nowMs: number,
  opts: { stoppedAfterMs?: number } = {},
): LagEvaluation {
  const stoppedAfterMs = opts.stoppedAfterMs ?? DEFAULT_STOPPED_AFTER_MS;
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined) {
    return {
      status: "OK",
      lag: 0,
      slopePerSecond: 0,
      window: { fromMs: nowMs, toMs: nowMs, samples: 0 },
      reason: "No lag samples yet.",
    };
  }

  const lags = sorted.map(lagOf);
  const firstLag = lagOf(first);
  const lastLag = lagOf(last);
  const spanMs = last.at - first.at;
  const result = (status: LagStatus, reason: string): LagEvaluation => ({
    status,
    lag: lastLag,
    slopePerSecond: slopePerSecond(sorted),
    window: { fromMs: first.at, toMs: last.at, samples: sorted.length },
    reason,
  });

  const silentMs = nowMs - last.at;
  const stoppedLimitMs = Math.max(stoppedAfterMs, spanMs);
  if (silentMs > stoppedLimitMs && lastLag > 0) {
    return result(
      "STOPPED",
      `No lag reported for ${seconds(silentMs)} (limit ${seconds(stoppedLimitMs)}) with lag ${lastLag}.`,
    );
  }

  if (lags.some((lag) => lag === 0)) {
    return result(
      "OK",
      lastLag === 0
        ? "The consumer is caught up."
        : `The consumer caught up within the window; lag is now ${lastLag}.`,
    );
  }

  if (sorted.length >= 2 && first.consumed === last.consumed && lastLag >= firstLag) {
    return result(
      "STALLED",
      `The consumer has not moved past ${last.consumed} in ${seconds(spanMs)}; lag is ${lastLag}.`,
    );
  }

  const grewEveryInterval = lags.every((lag, i) => i === 0 || lag > (lags[i - 1] ?? lag));
  if (sorted.length >= 3 && last.consumed > first.consumed && grewEveryInterval) {
    return result(
      "WARNING",
      `Lag grew in each of the last ${sorted.length - 1} intervals, from ${firstLag} to ${lastLag}, ` +
        "although the consumer is moving.",
    );
  }

  return result("OK", `The consumer is keeping up; lag is ${lastLag}.`);
}

/** Lag of one sample; a reading where consumed overtook produced (measured a moment apart) counts as 0. */
function lagOf(sample: LagSample): number {
  return Math.max(0, sample.produced - sample.consumed);
}

/** Least-squares slope of lag against time, in events per second; 0 when time does not vary. */
function slopePerSecond(sorted: readonly LagSample[]): number {
  if (sorted.length < 2) return 0;
  // Centre on the means so millisecond timestamps near 1e12 do not swamp the sums.
  const meanAt = sorted.reduce((sum, s) => sum + s.at, 0) / sorted.length;
  const meanLag = sorted.reduce((sum, s) => sum + lagOf(s), 0) / sorted.length;
  let covariance = 0;
  let variance = 0;
  for (const sample of sorted) {
    const dt = sample.at - meanAt;
    covariance += dt * (lagOf(sample) - meanLag);
    variance += dt * dt;
  }
  return variance === 0 ? 0 : (covariance / variance) * 1000;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
