import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

/** The workerd tier's fixed settings: small rooms and fast ticks, so tests exercise shards quickly. */
const TEST_BINDINGS: Record<string, string> = {
  INGEST_SECRET: "test-secret-a,test-secret-b",
  ADMIN_TOKEN: "test-admin-token",
  GAP_TIMEOUT_MS: "300",
  SNAPSHOT_EVERY: "50",
  ALLOW_REGION_OVERRIDE: "true",
  // Small rooms and a narrow tree, so a few hundred test viewers exercise shards and depth.
  ROOM_MAX_SOCKETS: "20",
  ROOM_FANOUT: "4",
  ROOM_PRESENCE_INTERVAL_MS: "500",
  ROOM_RING_SIZE: "8",
  ROOM_SLOW_BEHIND_VERSIONS: "2",
  ROOM_SLOW_AFTER_MS: "600",
  // Long enough that a loaded machine running two files at once still re-acknowledges a conflated reader in time.
  ROOM_SLOW_CLOSE_AFTER_MS: "4000",
  ROOM_MAX_SHARDS: "8",
  ALLOWED_ORIGINS: "http://allowed.test",
  PRIVATE_MATCHES: "private-*",
  VIEWER_TOKEN_SECRET: "test-viewer-secret",
  // Only requests that carry a CF-Connecting-IP are counted; the rate-limit tests set one.
  RATE_LIMIT_READ: "20/60",
  RATE_LIMIT_CONNECT: "8/60",
  // Partner webhooks retry within seconds here (1 s, then 2 s ceilings, for 7 s), not 24 hours.
  // The flaky receiver's slowest moment fails its second attempt (after a 1 s hang) about 3 s
  // after it was queued, with the queues flushed at once (queueConsumersFlushedAtOnce below).
  WEBHOOK_RETRY_BASE_S: "1",
  WEBHOOK_RETRY_MAX_DELAY_S: "2",
  WEBHOOK_RETRY_WINDOW_S: "7",
  WEBHOOK_TIMEOUT_MS: "1000",
  WEBHOOK_ALLOW_LOOPBACK_HTTP: "true", // the test receiver listens on 127.0.0.1
  // A short coalescing interval, so the ticker tests see several intervals in a second.
  TICKER_MIN_INTERVAL_MS: "300",
};

/**
 * The pool reads the project's .dev.vars into the test Worker, as `wrangler dev` does, so a
 * developer's own settings (an Upstash URL, a tuned limit) would leak into the tests. Every name
 * .dev.vars sets goes back to its wrangler.toml value, or to unset (empty) when it has none.
 */
function withoutDevVars(bindings: Record<string, string>): Record<string, string> {
  const devVars = fileURLToPath(new URL(".dev.vars", import.meta.url));
  if (!existsSync(devVars)) return bindings;
  const configured = unstable_readConfig({
    config: fileURLToPath(new URL("wrangler.toml", import.meta.url)),
  }).vars;
  const reset: Record<string, string> = {};
  for (const line of readFileSync(devVars, "utf8").split("\n")) {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name) reset[name] = String(configured[name] ?? "");
  }
  return { ...reset, ...bindings };
}

/**
 * The queues' consumers as wrangler.toml declares them, except that a batch is handed over at
 * once instead of after max_batch_timeout (1 s): the simulator waits that long to fill each batch,
 * and a moment crosses two queues before it is delivered, so every webhook test and every retry
 * round waited seconds doing nothing. Batch sizes, retries and the dead-letter queue stay as
 * declared, and the e2e tier (wrangler dev) runs the declared timeout.
 */
function queueConsumersFlushedAtOnce() {
  // wrangler types this config loosely; these are the consumer fields read here.
  const consumers: {
    queue: string;
    max_batch_size?: number;
    max_retries?: number;
    dead_letter_queue?: string;
    retry_delay?: number;
  }[] =
    unstable_readConfig({ config: fileURLToPath(new URL("wrangler.toml", import.meta.url)) }).queues
      .consumers ?? [];
  return Object.fromEntries(
    consumers.map((consumer) => [
      consumer.queue,
      {
        maxBatchSize: consumer.max_batch_size,
        maxBatchTimeout: 0,
        maxRetries: consumer.max_retries,
        deadLetterQueue: consumer.dead_letter_queue,
        retryDelay: consumer.retry_delay,
      },
    ]),
  );
}

/**
 * Three tiers, named by the runtime they need:
 * - `node`: pure code under plain Node: the engine, the room's stream decisions, the client,
 *   the CLI and the Cricsheet adapter, the adapters' fallbacks.
 * - `workerd`: the Worker, Durable Objects and storage, inside the real workerd runtime.
 * - `e2e`: the whole stack under `wrangler dev` with local persistence, driven by real clients.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          // Two files at a time on two cores (vitest's default leaves one core idle). It must equal
          // the workerd tier's: projects in one sequence.groupOrder share one pool of workers.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 60_000,
          // Two files at a time, each with its own wrangler dev on its own ports (and, since issue
          // 22, its own inspector port): most of an e2e file is waiting (retry windows, a stack
          // starting, a browser loading), and one at a time made this tier alone five minutes.
          maxWorkers: 2,
          // After the other tiers, not beside them: a stack, a browser and hundreds of sockets
          // timed against the workerd tier's own load on two cores made the page tests flaky.
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: withoutDevVars(TEST_BINDINGS),
              queueConsumers: queueConsumersFlushedAtOnce(),
            },
          }),
        ],
        test: {
          name: "workerd",
          include: ["test/workerd/**/*.test.ts"],
          globalSetup: ["./test/support/redis-global-setup.ts", "./test/support/webhook-receiver-setup.ts"],
          testTimeout: 60_000,
          // Two files at a time, each in its own workerd: most of a file's time is its runtime
          // starting and its modules loading, which the other file's tests overlap.
          maxWorkers: 2,
        },
      },
    ],
  },
});
