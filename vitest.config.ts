import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Two tiers, named by the runtime they need:
 * - `node`: the pure scoring engine, the Cricsheet adapter and the CLI, under plain Node.
 * - `workerd`: the Worker, Durable Objects and storage, inside the real workerd runtime.
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
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                INGEST_SECRET: "test-secret-a,test-secret-b",
                ADMIN_TOKEN: "test-admin-token",
                GAP_TIMEOUT_MS: "300",
                SNAPSHOT_EVERY: "50",
              },
            },
          }),
        ],
        test: {
          name: "workerd",
          include: ["test/workerd/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
