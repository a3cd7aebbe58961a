/**
 * Coalescing: a ticker is a summary, so a match's headline goes out at most once per
 * `TICKER_MIN_INTERVAL_MS`. A change inside the interval is held, replaced by any later one,
 * and the newest goes out when the interval ends: never lost, only merged. Pure: the index
 * keeps, per match, when its headline last went out and whether a newer one waits.
 */

/** A match as the coalescer sees it. */
export interface Pacing {
  matchId: string;
  /** When its headline last went out (ms); null if it never did. */
  sentAt: number | null;
  /** A newer headline waits to go out. */
  pending: boolean;
}

/** When a change to a match may go out: now, if the interval since the last one has passed. */
export function sendableAt(sentAt: number | null, minIntervalMs: number): number {
  return sentAt === null ? Number.NEGATIVE_INFINITY : sentAt + minIntervalMs;
}

/**
 * Which waiting matches go out now, and when the next one falls due (for the alarm): null
 * when nothing else waits.
 */
export function planFlush(
  matches: readonly Pacing[],
  now: number,
  minIntervalMs: number,
): { due: string[]; nextAt: number | null } {
  const due: string[] = [];
  let nextAt: number | null = null;
  for (const m of matches) {
    if (!m.pending) continue;
    const at = sendableAt(m.sentAt, minIntervalMs);
    if (at <= now) due.push(m.matchId);
    else nextAt = nextAt === null ? at : Math.min(nextAt, at);
  }
  return { due, nextAt };
}
