import { describe, expect, it, vi } from "vitest";
import {
  announceMoments,
  QUEUE_BATCH_MAX_BYTES,
  QUEUE_BATCH_MAX_MESSAGES,
  queueBatches,
} from "../../../../origin/webhooks/announce.ts";
import type { MomentBase } from "../../../../protocol/moments.ts";

const moment = (seq: number, pad = 0): MomentBase & { pad: string } => ({
  id: `m:${seq}:four:x`,
  kind: "four",
  matchId: "m",
  seq,
  ts: "2026-05-01T10:00:00Z",
  innings: 1,
  pad: "x".repeat(pad),
});

/** A stand-in for the MOMENTS queue binding: records each sendBatch, or fails them all. */
function fakeEnv(fail = false) {
  const batches: { body: unknown }[][] = [];
  const queue = {
    sendBatch: vi.fn(async (messages: { body: unknown }[]) => {
      if (fail) throw new Error("queue unavailable");
      batches.push(messages);
    }),
  };
  return { env: { MOMENTS: queue } as unknown as Env, batches, queue };
}

describe("announceMoments", () => {
  it("sends every moment, in order, in batches within Queues' limits (100 messages, 256 KB)", async () => {
    const { env, batches } = fakeEnv();
    const moments = Array.from({ length: 250 }, (_, i) => moment(i + 1));
    await announceMoments(env, moments);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat().map((m) => m.body)).toEqual(moments);
  });

  it("cuts a batch by bytes too, never splitting or dropping a moment", () => {
    const big = Array.from({ length: 10 }, (_, i) => moment(i + 1, 60_000));
    const batches = queueBatches(big, (m) => JSON.stringify(m).length);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    for (const batch of batches) {
      const bytes = batch.reduce((sum, m) => sum + JSON.stringify(m).length + 100, 0);
      expect(bytes).toBeLessThanOrEqual(QUEUE_BATCH_MAX_BYTES);
      expect(batch.length).toBeLessThanOrEqual(QUEUE_BATCH_MAX_MESSAGES);
    }
    expect(batches.flat()).toEqual(big);
  });

  it("throws when the queue does, so the ledger's outbox keeps the moments and sends them again", async () => {
    const { env, queue } = fakeEnv(true);
    await expect(announceMoments(env, [moment(1)])).rejects.toThrow(/queue unavailable/);
    expect(queue.sendBatch).toHaveBeenCalledTimes(1);
  });

  it("sends nothing for no moments", async () => {
    const { env, queue } = fakeEnv();
    await announceMoments(env, []);
    expect(queue.sendBatch).not.toHaveBeenCalled();
  });
});
