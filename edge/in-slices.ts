/** Sockets served per turn of the event loop: a slice is a few milliseconds of sends. */
export const SLICE = 256;

/**
 * Runs `each` over `items`, yielding to the event loop after every slice. Locally every object
 * shares one isolate, so a broadcast to thousands of sockets in one go holds up the ledger's
 * acknowledgement to the provider behind it; in production it holds up the room's own joins.
 */
export async function inSlices<T>(
  items: readonly T[],
  each: (item: T) => void | Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const pending = each(items[i] as T);
    if (pending) await pending;
    if ((i + 1) % SLICE === 0 && i + 1 < items.length) await new Promise((r) => setTimeout(r, 0));
  }
}
