import { type BreakerState, CircuitBreaker } from "./circuit-breaker.ts";
import type {
  FastRead,
  FastReadMode,
  PresenceCounts,
  PresenceReport,
  RateDecision,
  RateRule,
  StoredMatch,
} from "./fast-read.ts";

/** What a rate-limited route does when the limiter itself is unavailable. */
export type LimiterFailure = "open" | "closed";

/**
 * The bulkhead around the fast-read layer: every call has a timeout and goes through one
 * circuit breaker, and every failure has a decided fallback, so a slow or dead Redis costs
 * its callers at most one timeout (then nothing, while the breaker is open) and never an error:
 * - presence reports are dropped; presence reads answer the last known counts, flagged stale;
 * - read-model writes are dropped (the TTL ages the copy out); reads miss, and the caller
 *   falls back to the ledger;
 * - rate limits fail open or closed, as each route decides.
 */
export class GuardedFastRead {
  private readonly lastPresence = new Map<string, PresenceCounts>();

  constructor(
    private readonly inner: FastRead,
    readonly breaker: CircuitBreaker,
  ) {}

  get mode(): FastReadMode {
    return this.inner.mode;
  }

  breakerState(): BreakerState {
    return this.breaker.state();
  }

  async reportPresence(report: PresenceReport): Promise<boolean> {
    return (await this.breaker.run(() => this.inner.reportPresence(report))).ok;
  }

  async presence(
    matchId: string,
    now: number,
    freshMs: number,
  ): Promise<PresenceCounts & { stale: boolean }> {
    const result = await this.breaker.run(() => this.inner.presence(matchId, now, freshMs));
    if (result.ok) {
      this.lastPresence.set(matchId, copyCounts(result.value));
      return { ...copyCounts(result.value), stale: false };
    }
    return { ...copyCounts(this.lastPresence.get(matchId) ?? { total: 0, byRegion: {} }), stale: true };
  }

  async putMatch(match: StoredMatch, ttlSeconds: number): Promise<boolean> {
    return (await this.breaker.run(() => this.inner.putMatch(match, ttlSeconds))).ok;
  }

  async getMatch(matchId: string): Promise<StoredMatch | null> {
    const result = await this.breaker.run(() => this.inner.getMatch(matchId));
    return result.ok ? result.value : null;
  }

  /** True when the store confirmed; a removal that failed is retried by the admin, not silently assumed. */
  async deleteMatch(matchId: string): Promise<boolean> {
    return (await this.breaker.run(() => this.inner.deleteMatch(matchId))).ok;
  }

  async limit(
    rule: RateRule,
    key: string,
    onFailure: LimiterFailure,
    cost = 1,
  ): Promise<RateDecision & { degraded: boolean }> {
    const result = await this.breaker.run(() => this.inner.limit(rule, key, cost));
    if (result.ok) return { ...result.value, degraded: false };
    return { allowed: onFailure === "open", retryAfterMs: onFailure === "open" ? 0 : 1000, degraded: true };
  }
}

function copyCounts(counts: PresenceCounts): PresenceCounts {
  return { total: counts.total, byRegion: { ...counts.byRegion } };
}

export function guard(
  inner: FastRead,
  options: { timeoutMs: number; failureThreshold: number; cooldownMs: number },
): GuardedFastRead {
  return new GuardedFastRead(inner, new CircuitBreaker(options));
}
