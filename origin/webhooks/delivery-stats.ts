/** Per-endpoint figures over its recent attempts: what the ops page and GET /v1/admin/webhooks/:id show. */

/** How many of an endpoint's latest attempts the "recent" figures cover. */
export const RECENT_ATTEMPTS = 100;

export interface AttemptRecord {
  at: number;
  ok: boolean;
  latencyMs: number;
}

export interface RecentStats {
  /** Attempts in the window (at most RECENT_ATTEMPTS). */
  window: number;
  /** Successes ÷ attempts in the window; null when there were none. */
  successRate: number | null;
  /** Latency of the window's attempts (successes and failures alike), nearest-rank percentiles. */
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** The recent figures from the newest RECENT_ATTEMPTS attempts (any order in, newest kept). */
export function recentStats(attempts: readonly AttemptRecord[]): RecentStats {
  const recent = [...attempts].sort((a, b) => b.at - a.at).slice(0, RECENT_ATTEMPTS);
  if (recent.length === 0) return { window: 0, successRate: null, p50Ms: null, p95Ms: null };
  const latencies = recent.map((a) => a.latencyMs).sort((a, b) => a - b);
  return {
    window: recent.length,
    successRate: recent.filter((a) => a.ok).length / recent.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
  };
}
