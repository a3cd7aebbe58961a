/**
 * Time in tests, written once: a plain sleep (only where the point is that something does NOT
 * happen within a while), and waits for a condition, which is what a test should usually do
 * instead of sleeping a fixed time. Shared by every tier, the chaos scenarios and the benches.
 */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Polls `predicate` every `everyMs`; throws naming `what` (and the last `detail`) past the deadline. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  detail: () => string = () => "",
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${detail()}`);
    await sleep(everyMs);
  }
}

/** Polls `probe` until it gives a value (not null); throws naming `what` past the deadline. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  timeoutMs = 40_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
