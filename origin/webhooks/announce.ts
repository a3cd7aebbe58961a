import type { MomentBase } from "../../protocol/moments.ts";

/**
 * Cloudflare Queues' limits on one `sendBatch`: at most 100 messages and 256 KB in all
 * (each message also at most 128 KB). A batch is cut before either is reached; the byte
 * estimate is the JSON length plus a small per-message allowance for the envelope.
 */
export const QUEUE_BATCH_MAX_MESSAGES = 100;
export const QUEUE_BATCH_MAX_BYTES = 256_000;
const PER_MESSAGE_OVERHEAD_BYTES = 100;

/** Splits moments into `sendBatch`-sized groups, in order; a moment is never split or dropped. */
export function queueBatches<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item) + PER_MESSAGE_OVERHEAD_BYTES;
    if (
      current.length > 0 &&
      (current.length >= QUEUE_BATCH_MAX_MESSAGES || bytes + size > QUEUE_BATCH_MAX_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Hands moments to the moments queue, which fans them out to partner webhooks (docs/webhooks.md),
 * in order, in `sendBatch`-sized groups. It only enqueues, so a slow or dead partner never slows
 * ingest. It throws when the queue does: the caller (the ledger's outbox) keeps the moments and
 * sends them again, so a queue error delays partners' moments but never loses them.
 */
export async function announceMoments(env: Env, moments: readonly MomentBase[]): Promise<void> {
  for (const batch of queueBatches(moments, (moment) => JSON.stringify(moment).length)) {
    await env.MOMENTS.sendBatch(batch.map((moment) => ({ body: moment, contentType: "json" as const })));
  }
}
