import type { Publication } from "../../protocol/publication.ts";

/**
 * Publications committed but not yet complete (their fossil delta is computed a turn after the
 * provider's acknowledgement, docs/decisions.md 15), completed one after another in publication
 * order. Until a patch is complete, a resume is answered only up to the version before it.
 */
export class CompletionQueue {
  #chain: Promise<void> = Promise.resolve();
  readonly #pending: { prev: number }[] = [];

  /** Completes `publication` after every one before it, a turn of the event loop later. */
  add(
    publication: Publication,
    complete: () => Publication | Promise<Publication>,
    failed: (error: unknown) => void,
  ): Promise<Publication> {
    const waiting = publication.kind === "patch" ? { prev: publication.prev } : null;
    if (waiting) this.#pending.push(waiting);
    const ready = this.#chain
      .then(nextTurn)
      .then(complete)
      .finally(() => {
        if (waiting) this.#pending.splice(this.#pending.indexOf(waiting), 1);
      });
    this.#chain = ready.then(() => undefined, failed);
    return ready;
  }

  /** Settles once every publication added so far is complete (or failed). */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** The newest version whose publication is complete: the cursor, or the one before the oldest pending. */
  completeThrough(cursor: number): number {
    return this.#pending[0]?.prev ?? cursor;
  }
}

/** A turn of the event loop: what runs after it runs after the reply that is already on its way. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
