/**
 * The fan-out workload, shared by every scenario: how many subscribers, how many versions are
 * published at a steady rate and how many in a burst, and the seed that fixes the jitter.
 * The same workload runs against Crease and every baseline, so the ratios compare like with like.
 */

export type ScenarioName = "crease" | "ws" | "socketio" | "partyserver" | "bare";
export const SCENARIOS: readonly ScenarioName[] = [
  "crease",
  "ws",
  "socketio",
  "partyserver",
  "bare",
] as const;

export interface Workload {
  seed: number;
  subscribers: number;
  /** Child processes the subscribers are spread over (each holds subscribers / processes). */
  processes: number;
  /** Versions published one after another at `steadyRate` per second, with seeded jitter. */
  steadyEvents: number;
  steadyRate: number;
  /** Versions published back to back, each as soon as the previous one was acknowledged. */
  burstEvents: number;
  /** Bytes of each baseline message: a Crease JSON Patch of one ball is 1.3–1.9 KB (docs/fan-out.md). */
  payloadBytes: number;
  /** How long to wait for the last version to reach every subscriber before failing. */
  deliveryTimeoutMs: number;
}

export const QUICK: Omit<Workload, "seed"> = {
  subscribers: 500,
  processes: 2,
  steadyEvents: 20,
  steadyRate: 20,
  burstEvents: 20,
  payloadBytes: 1900,
  deliveryTimeoutMs: 15_000,
};

export const FULL: Omit<Workload, "seed"> = {
  subscribers: 2000,
  processes: 2,
  steadyEvents: 100,
  steadyRate: 10,
  burstEvents: 100,
  payloadBytes: 1900,
  deliveryTimeoutMs: 60_000,
};

/** The same seeded generator the tests and chaos scenarios use, so a run can be repeated exactly. */
export { seededRandom } from "../../test/support/seeded-random.ts";

/**
 * A baseline's message for one version: the same shape as a Crease `patch` frame and about the
 * size of one, so every subscriber parses comparable JSON.
 */
export function baselinePayload(seq: number, prev: number, bytes: number): string {
  const head = { type: "patch", matchId: "bench", seq, prev };
  const skeleton = JSON.stringify({ ...head, ops: [{ op: "add", path: "/pad", value: "" }] });
  const pad = "x".repeat(Math.max(0, bytes - skeleton.length));
  return JSON.stringify({ ...head, ops: [{ op: "add", path: "/pad", value: pad }] });
}

/** A monotonic clock shared by every process on the machine (CLOCK_MONOTONIC), in ms. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, rounded to 0.01 ms. */
export function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => {
    if (sorted.length === 0) return Number.NaN;
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return round(sorted[rank] ?? Number.NaN);
  };
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
