/**
 * For the workerd tier: a real redis-server behind the Upstash REST bridge, started once in
 * Node before the suites and stopped after, its address handed to the tests by `inject`.
 */
import type { TestProject } from "vitest/node";
import { start, startRedisServer } from "./upstash-bridge/index.ts";

declare module "vitest" {
  interface ProvidedContext {
    upstash: { url: string; token: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  const bridge = await start({ redisUrl: redis.url, token: "workerd-test-token" });
  project.provide("upstash", { url: bridge.url, token: bridge.token });
  return async () => {
    await bridge.close();
    await redis.stop();
  };
}
