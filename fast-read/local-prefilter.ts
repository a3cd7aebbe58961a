/**
 * The first, free stage of rate limiting: this isolate counts each key in the current window
 * and only keys that get busy (more than `share` of the limit here) are counted in Redis.
 * A herd of distinct clients, each connecting once, then costs the limiter no Redis command
 * at all; a single abusive address still meets the global limit once it is hot. The price:
 * the global limit is enforced to within `share` of it per isolate.
 */
export class LocalPrefilter {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Counts one request. Returns 0 while the key is still cold here (Redis need not be asked),
   * else the cost to charge the global counter: everything held locally the first time the
   * key turns hot, then 1 a request, so a single isolate's limit triggers at the exact number.
   */
  globalCost(key: string, threshold: number, now: number): number {
    if (now - this.windowStart >= this.windowMs || this.counts.size >= this.maxKeys) {
      this.counts.clear();
      this.windowStart = now;
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count <= threshold) return 0;
    return count === threshold + 1 ? count : 1;
  }
}
