import { z } from "zod";
import { EmbeddedFastRead } from "./embedded-fast-read.ts";
import type { RateRule } from "./fast-read.ts";
import { type GuardedFastRead, guard } from "./guarded-fast-read.ts";
import { UpstashFastRead } from "./upstash-fast-read.ts";

const rule = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^(\d+)\/(\d+)$/.exec(text.trim());
      if (!match) {
        ctx.addIssue({
          code: "custom",
          message: `a rate limit is "COUNT/SECONDS", not "${text.slice(0, 20)}"`,
        });
        return z.NEVER;
      }
      return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
    });

const schema = z.object({
  UPSTASH_REDIS_REST_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  FAST_READ_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  FAST_READ_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  FAST_READ_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
  READ_MODEL_TTL_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3600),
  RATE_LIMIT_CONNECT: rule("60/60"),
  RATE_LIMIT_READ: rule("600/60"),
  RATE_LIMIT_INGEST: rule("6000/60"),
});

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
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid fast-read configuration ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const v = parsed.data;
  const inner =
    v.UPSTASH_REDIS_REST_URL && v.UPSTASH_REDIS_REST_TOKEN
      ? new UpstashFastRead({ url: v.UPSTASH_REDIS_REST_URL, token: v.UPSTASH_REDIS_REST_TOKEN })
      : new EmbeddedFastRead(env.FAST_READ);
  const entry = {
    fastRead: guard(inner, {
      timeoutMs: v.FAST_READ_TIMEOUT_MS,
      failureThreshold: v.FAST_READ_BREAKER_FAILURES,
      cooldownMs: v.FAST_READ_BREAKER_COOLDOWN_MS,
    }),
    config: {
      readModelTtlS: v.READ_MODEL_TTL_S,
      rules: {
        connect: { name: "connect", ...v.RATE_LIMIT_CONNECT },
        read: { name: "read", ...v.RATE_LIMIT_READ },
        ingest: { name: "ingest", ...v.RATE_LIMIT_INGEST },
      },
    },
  };
  cache.set(env, entry);
  return entry;
}
