import { type CreaseConfig, readConfig } from "../config/crease-config.ts";
import { EmbeddedFastRead } from "./embedded-fast-read.ts";
import type { RateRule } from "./fast-read.ts";
import { type GuardedFastRead, guard } from "./guarded-fast-read.ts";
import { UpstashFastRead } from "./upstash-fast-read.ts";

export interface FastReadConfig {
  readModelTtlS: number;
  rules: { connect: RateRule; read: RateRule; ingest: RateRule };
}

const cache = new WeakMap<object, { fastRead: GuardedFastRead; config: FastReadConfig }>();

/**
 * The fast-read layer for this environment: Upstash when `UPSTASH_REDIS_REST_URL` and
 * `UPSTASH_REDIS_REST_TOKEN` are set, the embedded Durable Object store otherwise. One
 * guarded instance (one breaker) per isolate and environment.
 */
export function fastReadFor(env: Env): { fastRead: GuardedFastRead; config: FastReadConfig } {
  const cached = cache.get(env);
  if (cached) return cached;
  const entry = build(env, readConfig(env).fastRead);
  cache.set(env, entry);
  return entry;
}

function build(env: Env, c: CreaseConfig["fastRead"]): { fastRead: GuardedFastRead; config: FastReadConfig } {
  const inner = c.upstash ? new UpstashFastRead(c.upstash) : new EmbeddedFastRead(env.FAST_READ);
  return {
    fastRead: guard(inner, {
      timeoutMs: c.timeoutMs,
      failureThreshold: c.breakerFailures,
      cooldownMs: c.breakerCooldownMs,
    }),
    config: {
      readModelTtlS: c.readModelTtlS,
      rules: {
        connect: { name: "connect", ...c.rules.connect },
        read: { name: "read", ...c.rules.read },
        ingest: { name: "ingest", ...c.rules.ingest },
      },
    },
  };
}
