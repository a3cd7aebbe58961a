/**
 * Test support for Crease's Upstash path: a real redis-server behind an HTTP bridge that speaks the
 * Upstash REST protocol, so `@upstash/redis` and `@upstash/ratelimit` run unchanged against it.
 *
 * ```ts
 * const server = await startRedisServer();
 * const bridge = await start({ redisUrl: server.url, token: "test-token" });
 * const redis = new Redis({ url: bridge.url, token: bridge.token });
 * ```
 */
export { type Bridge, type BridgeOptions, start } from "./bridge.ts";
export {
  REDIS_SERVER_MISSING,
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from "./redis-server.ts";
