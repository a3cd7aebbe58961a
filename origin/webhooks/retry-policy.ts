/**
 * When a failed webhook delivery is tried again, and when it is given up: exponential backoff
 * with full jitter (AWS's "Exponential Backoff and Jitter"), bounded by a time window rather
 * than a count, so "retried for at least 24 hours" holds whatever the dice say. Pure: the time
 * and the random number are parameters.
 */

export interface RetryPolicy {
  /** The first retry's ceiling, in seconds; each later ceiling doubles. */
  baseDelayS: number;
  /** The largest ceiling, in seconds (Queues refuses a retry delay beyond 12 hours). */
  maxDelayS: number;
  /** A delivery is retried until this long after it was first enqueued. */
  windowS: number;
  /** A backstop below the queue's max_retries: give up after this many attempts whatever the time. */
  maxAttempts: number;
}

/** Cloudflare Queues' largest `delaySeconds` for a retry (12 hours). */
export const QUEUES_MAX_DELAY_S = 43_200;

/** The defaults the README documents (WEBHOOK_RETRY_*). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayS: 30,
  maxDelayS: 3600,
  windowS: 86_400,
  maxAttempts: 100,
};

/** The ceiling of the delay after the `attempt`-th failed attempt (1-based): base·2^(attempt−1), capped. */
export function backoffCeilingS(attempt: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxDelayS, QUEUES_MAX_DELAY_S);
  // 2^40 s is far beyond any cap: stop doubling before the number stops being exact.
  const doubled = policy.baseDelayS * 2 ** Math.min(Math.max(attempt - 1, 0), 40);
  return Math.min(cap, doubled);
}

/** Full jitter: a whole number of seconds drawn uniformly from [0, ceiling]. `random` is in [0, 1). */
export function fullJitterDelayS(attempt: number, policy: RetryPolicy, random: number): number {
  const ceiling = backoffCeilingS(attempt, policy);
  return Math.min(ceiling, Math.floor(random * (ceiling + 1)));
}

export type RetryDecision =
  | { kind: "retry"; delaySeconds: number }
  | { kind: "dead"; reason: "window" | "attempts" };

/**
 * What to do after the `attempts`-th attempt failed. Retries go on until `windowS` has passed
 * since the delivery was enqueued (so the schedule covers the whole window), or, as a backstop
 * the defaults make astronomically unlikely to bind first, until `maxAttempts`.
 */
export function retryDecision(input: {
  attempts: number;
  enqueuedAtMs: number;
  nowMs: number;
  policy: RetryPolicy;
  random: number;
}): RetryDecision {
  const { attempts, enqueuedAtMs, nowMs, policy, random } = input;
  if (attempts >= policy.maxAttempts) return { kind: "dead", reason: "attempts" };
  if (nowMs - enqueuedAtMs >= policy.windowS * 1000) return { kind: "dead", reason: "window" };
  return { kind: "retry", delaySeconds: fullJitterDelayS(attempts, policy, random) };
}

export interface ScheduleRow {
  /** The retry that follows this many failed attempts. */
  afterAttempt: number;
  ceilingS: number;
  /** Elapsed time at this retry if every delay were its ceiling (the slowest schedule). */
  latestS: number;
  /** Expected elapsed time at this retry (full jitter waits half the ceiling on average). */
  expectedS: number;
}

/** The schedule's ceilings and elapsed times, retry by retry, for docs/webhooks.md and the tests. */
export function retrySchedule(policy: RetryPolicy): ScheduleRow[] {
  const rows: ScheduleRow[] = [];
  let latestS = 0;
  let expectedS = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    const ceilingS = backoffCeilingS(attempt, policy);
    latestS += ceilingS;
    expectedS += ceilingS / 2;
    rows.push({ afterAttempt: attempt, ceilingS, latestS, expectedS });
  }
  return rows;
}
