/** How long reconnection waits grow: doubling from `baseMs`, never beyond `maxMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * The wait before reconnection attempt `attempt` (0 for the first): uniform in
 * [0, min(maxMs, baseMs · 2^attempt)), "full jitter". Spreading each wave over the whole window,
 * rather than adding a little noise to a fixed delay, is what stops a deploy that drops a
 * million viewers from bringing them all back in the same second.
 */
export function fullJitterDelay(attempt: number, backoff: BackoffOptions, random: () => number): number {
  return random() * backoffCap(attempt, backoff);
}

/** The upper end of the window for `attempt`: `min(maxMs, baseMs · 2^attempt)`. */
export function backoffCap(attempt: number, { baseMs, maxMs }: BackoffOptions): number {
  // Clamping the exponent keeps 2^attempt finite after a very long outage.
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
}
