/**
 * One pending timeout at a time, replaced when scheduled again: the shape of every deadline
 * the client keeps (silence, resync, reconnect), and the one place they are all cleared from.
 */
export class OneShotTimer {
  #handle: ReturnType<typeof setTimeout> | undefined;

  /** Runs `fn` after `ms`, cancelling whatever was pending. */
  schedule(ms: number, fn: () => void): void {
    this.cancel();
    this.#handle = setTimeout(() => {
      this.#handle = undefined;
      fn();
    }, ms);
  }

  cancel(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  get pending(): boolean {
    return this.#handle !== undefined;
  }
}
