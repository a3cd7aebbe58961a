import type { Moment } from "../../scoring/index.ts";
import type { MomentStore } from "./moment-store.ts";

/** Moments per drain step (one or more `sendBatch` calls). */
const OUTBOX_BATCH = 200;

/**
 * Partners' moments leave a ledger through an outbox: each write's moments are stored unsent in
 * the same transaction as the version (`MomentStore.record`), and this drains them to the queue,
 * in order, one drain at a time, marking each sent only once the queue has taken it. A queue
 * error leaves the rest for later (`retryLater`: the ledger's alarm), so a partner gets every
 * moment at least once, never zero times (docs/webhooks.md).
 */
export class MomentOutbox {
  #draining: Promise<void> | null = null;

  constructor(
    private readonly moments: MomentStore,
    private readonly send: (moments: Moment[]) => Promise<void>,
    private readonly retryLater: (error: unknown, pending: number) => void,
  ) {}

  /** Drains what is unsent; a drain already running is joined, not doubled. */
  flush(): Promise<void> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const pending = this.moments.unannounced(OUTBOX_BATCH);
      const last = pending.at(-1);
      if (last === undefined) return;
      try {
        await this.send(pending.map((p) => p.moment));
      } catch (error) {
        this.retryLater(error, pending.length);
        return;
      }
      this.moments.markAnnounced(last.pos);
    }
  }
}
