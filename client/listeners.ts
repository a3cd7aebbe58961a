/**
 * Typed listener sets, one per event name. A listener that throws must not leave the
 * subscription half-updated, so its error is rethrown on a fresh task: it still reaches the
 * console (or the test runner) as an uncaught error, but after the client finished its step.
 */
export class Listeners<Events> {
  readonly #sets: { [K in keyof Events]?: Set<(payload: Events[K]) => void> } = {};

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, fn: (payload: Events[K]) => void): () => void {
    const set = this.#sets[event] ?? new Set();
    this.#sets[event] = set;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    // A copy, so a listener that unsubscribes (or subscribes) mid-emit changes the next emit only.
    for (const fn of [...(this.#sets[event] ?? [])]) {
      try {
        fn(payload);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }
}
