import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Two tiers, named by the runtime they need:
 * - `node`: the pure scoring engine, the Cricsheet adapter and the CLI, under plain Node.
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
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 60_000,
          // Each file starts its own wrangler dev; two at once would fight over two cores.
          fileParallelism: false,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
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
                ROOM_SLOW_CLOSE_AFTER_MS: "2500",
                ROOM_MAX_SHARDS: "8",
                ALLOWED_ORIGINS: "http://allowed.test",
                PRIVATE_MATCHES: "private-*",
                VIEWER_TOKEN_SECRET: "test-viewer-secret",
                // Only requests that carry a CF-Connecting-IP are counted; the rate-limit tests set one.
                RATE_LIMIT_READ: "20/60",
                RATE_LIMIT_CONNECT: "8/60",
              },
            },
          }),
        ],
        test: {
          name: "workerd",
          include: ["test/workerd/**/*.test.ts"],
          globalSetup: ["./test/support/redis-global-setup.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
