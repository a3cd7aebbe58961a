import type { LedgerStore } from "./ledger-store.ts";

/**
 * The one fault a test may inject into a ledger, and the only place production code looks for
 * it. test/workerd/moments-outbox.test.ts writes `drop-queue-send` into the ledger's own `meta`
 * table; the next outbox drain is then skipped, as if the process died between the commit and
 * the queue send, and the test restarts every object to show the outbox still delivers. Nothing
 * else writes the key, so in production this is one read of an absent row per drain.
 */
export type InjectedFault = "drop-queue-send";

/** True, once, when `fault` was injected: it is cleared as it is taken. */
export function takeInjectedFault(store: LedgerStore, fault: InjectedFault): boolean {
  if (store.getMeta("fault") !== fault) return false;
  store.setMeta("fault", "");
  return true;
}
