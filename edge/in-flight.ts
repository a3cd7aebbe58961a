/**
 * Identical concurrent reads share one call: the first asker starts it, everyone asking for
 * the same key before it settles gets the same promise, and the key is forgotten when it
 * settles (nothing is cached past that: a later ask is a new read). A room uses it for its
 * ledger pulls, so a thousand resumes from the same point cost one ledger call, not a thousand.
 */
export class InFlight<V> {
  readonly #pending = new Map<string, Promise<V>>();
  #started = 0;

  /** The pending read for `key`, or a new one from `read`. */
  run(key: string, read: () => Promise<V>): Promise<V> {
    const pending = this.#pending.get(key);
    if (pending) return pending;
    this.#started += 1;
    const started = read().finally(() => this.#pending.delete(key));
    this.#pending.set(key, started);
    return started;
  }

  /** Reads actually started since this object was made (a count for tests and logs). */
  get started(): number {
    return this.#started;
  }

  /** Reads now pending. */
  get size(): number {
    return this.#pending.size;
  }
}
