/**
 * Every knob of the deployment, parsed from the Worker's vars once per isolate (per env
 * object) and handed to each stage as a typed section. A bad value fails loudly with its
 * name; a missing one takes the default written here, which is also the default the README
 * documents and wrangler.toml sets.
 */
import { z } from "zod";
import { REGIONS, type Region } from "../edge/region.ts";
import type { RoomConfig } from "../edge/room-config.ts";
import type { BacklogLimits } from "../edge/sse-backlog.ts";
import type { LedgerConfig } from "../origin/ledger/ledger-config.ts";
import type { WebhookConfig } from "../origin/webhooks/webhook-config.ts";

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const flag = z.enum(["true", "false", "1", "0", ""]).default("false");

const rateRule = (fallback: string) =>
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

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === "" ? null : v));

const schema = z.object({
  // ingest
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024, 1024 * 1024),
  SIGNATURE_TOLERANCE_S: int(1, 86_400, 300),
  // ledger
  SNAPSHOT_EVERY: int(1, 10_000, 50),
  GAP_TIMEOUT_MS: int(10, 3_600_000, 10_000),
  LEDGER_MAX_AHEAD: int(1, 1_000_000, 10_000),
  LEDGER_MAX_SKIP: int(0, 1_000_000, 100),
  LEDGER_LOCATION_HINT: z.enum(REGIONS).default("weur"),
  // rooms
  ROOM_MAX_SOCKETS: int(1, 32_000, 2000),
  ROOM_FANOUT: int(2, 64, 16),
  ROOM_MAX_SHARDS: int(1, 4096, 256),
  ROOM_RING_SIZE: int(1, 10_000, 64),
  ROOM_PRESENCE_INTERVAL_MS: int(100, 60_000, 5000),
  ROOM_ADMIT_PER_SECOND: int(1, 100_000, 1000),
  ROOM_ADMIT_BURST: int(1, 100_000, 1000),
  ROOM_CHILD_TIMEOUT_MS: int(1000, 600_000, 30_000),
  ROOM_SLOW_BEHIND_VERSIONS: int(1, 100_000, 10),
  ROOM_SLOW_AFTER_MS: int(100, 3_600_000, 30_000),
  ROOM_SLOW_CLOSE_AFTER_MS: int(100, 3_600_000, 90_000),
  ROOM_SILENT_AFTER_MS: int(1000, 3_600_000, 60_000),
  // The dearest frame (a resume) costs 10 tokens: a smaller bucket would refuse it always.
  ROOM_FRAME_BURST: int(10, 100_000, 60),
  ROOM_FRAME_PER_SECOND: int(1, 100_000, 5),
  ROOM_SNAPSHOT_COOLDOWN_MS: int(0, 600_000, 5000),
  // viewers
  // Closed by default: a deploy names the sites that may embed its feed (edge/allowed-origins.ts).
  ALLOWED_ORIGINS: z.string().default(""),
  ALLOW_REGION_OVERRIDE: flag,
  PRIVATE_MATCHES: z.string().default(""),
  VIEWER_TOKEN_SECRET: optionalText,
  VIEWER_JOINS_IN_FLIGHT: int(1, 100_000, 256),
  STREAM_MAX_QUEUED_MESSAGES: int(1, 100_000, 200),
  STREAM_MAX_QUEUED_BYTES: int(1024, 64 * 1024 * 1024, 1024 * 1024),
  // the ticker
  TICKER_MIN_INTERVAL_MS: int(10, 600_000, 1000),
  TICKER_FINISHED_FOR_S: int(0, 30 * 86_400, 3 * 3600),
  TICKER_RING_SIZE: int(1, 10_000, 256),
  // the fast-read layer
  UPSTASH_REDIS_REST_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  UPSTASH_REDIS_REST_TOKEN: optionalText,
  FAST_READ_TIMEOUT_MS: int(1, 10_000, 100),
  FAST_READ_BREAKER_FAILURES: int(1, 1000, 5),
  FAST_READ_BREAKER_COOLDOWN_MS: int(10, 600_000, 5000),
  READ_MODEL_TTL_S: int(1, 7 * 86_400, 3600),
  RATE_LIMIT_CONNECT: rateRule("120/60"),
  RATE_LIMIT_READ: rateRule("600/60"),
  RATE_LIMIT_INGEST: rateRule("12000/60"),
  // partner webhooks (docs/webhooks.md); Queues refuses a retry delay beyond 12 hours
  WEBHOOK_RETRY_BASE_S: int(1, 3600, 30),
  WEBHOOK_RETRY_MAX_DELAY_S: int(1, 43_200, 3600),
  WEBHOOK_RETRY_WINDOW_S: int(1, 7 * 86_400, 86_400),
  WEBHOOK_TIMEOUT_MS: int(100, 60_000, 10_000),
  WEBHOOK_PAUSE_AFTER_S: int(1, 30 * 86_400, 86_400),
  WEBHOOK_ROTATION_GRACE_S: int(0, 30 * 86_400, 86_400),
  WEBHOOK_ALLOW_LOOPBACK_HTTP: flag,
});

export interface RateRuleConfig {
  limit: number;
  windowSeconds: number;
}

export interface CreaseConfig {
  ingest: { maxBodyBytes: number; signatureToleranceS: number };
  ledger: LedgerConfig & { locationHint: Region };
  room: RoomConfig;
  viewers: {
    /** Browser origins allowed to open the feed besides the deployment's own (`*`, exact, or `scheme://host:*`). */
    allowedOrigins: string[];
    allowRegionOverride: boolean;
    privateMatches: string[];
    viewerTokenSecret: string | null;
    /** Joins one isolate hands to rooms at once; past it, 1013 with a retry hint (edge/join-gate.ts). */
    joinsInFlight: number;
    /** The SSE bridge's bound on each reader's unread backlog (edge/sse-backlog.ts). */
    stream: BacklogLimits;
  };
  ticker: {
    /** A match's headline goes out at most once per this long (the newest change at its end). */
    minIntervalMs: number;
    /** How long a finished match stays on the ticker. */
    finishedForMs: number;
    /** Recent changes kept (by the index and each ticker room) for resumes with `since`. */
    ringSize: number;
  };
  webhooks: WebhookConfig;
  fastRead: {
    upstash: { url: string; token: string } | null;
    timeoutMs: number;
    breakerFailures: number;
    breakerCooldownMs: number;
    readModelTtlS: number;
    rules: { connect: RateRuleConfig; read: RateRuleConfig; ingest: RateRuleConfig };
  };
}

const list = (value: string) =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

const cache = new WeakMap<object, CreaseConfig>();

/** The configuration of this environment, validated once per env object. */
export function readConfig(env: Env): CreaseConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseConfig(env as unknown as Record<string, unknown>);
  cache.set(env, config);
  return config;
}

/** Each variable's default as the docs write it ("" where there is none), for the README's check. */
export function configDefaults(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const parsed = field.safeParse(undefined);
    if (!parsed.success || parsed.data === undefined || parsed.data === null) continue;
    const value: unknown = parsed.data;
    out[name] =
      typeof value === "object" && value !== null && "limit" in value && "windowSeconds" in value
        ? `${value.limit}/${value.windowSeconds}`
        : String(value);
  }
  return out;
}

/** Parses vars into a configuration; throws naming the first bad variable. */
export function parseConfig(vars: Record<string, unknown>): CreaseConfig {
  const parsed = schema.safeParse(vars);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const v = parsed.data;
  return {
    ingest: { maxBodyBytes: v.MAX_BODY_BYTES, signatureToleranceS: v.SIGNATURE_TOLERANCE_S },
    ledger: {
      snapshotEvery: v.SNAPSHOT_EVERY,
      gapTimeoutMs: v.GAP_TIMEOUT_MS,
      maxAhead: v.LEDGER_MAX_AHEAD,
      maxSkip: v.LEDGER_MAX_SKIP,
      locationHint: v.LEDGER_LOCATION_HINT,
    },
    room: {
      maxSockets: v.ROOM_MAX_SOCKETS,
      fanout: v.ROOM_FANOUT,
      maxShards: v.ROOM_MAX_SHARDS,
      ringSize: v.ROOM_RING_SIZE,
      presenceIntervalMs: v.ROOM_PRESENCE_INTERVAL_MS,
      admitPerSecond: v.ROOM_ADMIT_PER_SECOND,
      admitBurst: v.ROOM_ADMIT_BURST,
      childTimeoutMs: v.ROOM_CHILD_TIMEOUT_MS,
      slowBehindVersions: v.ROOM_SLOW_BEHIND_VERSIONS,
      slowAfterMs: v.ROOM_SLOW_AFTER_MS,
      slowCloseAfterMs: v.ROOM_SLOW_CLOSE_AFTER_MS,
      silentAfterMs: v.ROOM_SILENT_AFTER_MS,
      frameBurst: v.ROOM_FRAME_BURST,
      framePerSecond: v.ROOM_FRAME_PER_SECOND,
      snapshotCooldownMs: v.ROOM_SNAPSHOT_COOLDOWN_MS,
    },
    viewers: {
      allowedOrigins: list(v.ALLOWED_ORIGINS),
      allowRegionOverride: v.ALLOW_REGION_OVERRIDE === "true" || v.ALLOW_REGION_OVERRIDE === "1",
      privateMatches: list(v.PRIVATE_MATCHES),
      viewerTokenSecret: v.VIEWER_TOKEN_SECRET,
      joinsInFlight: v.VIEWER_JOINS_IN_FLIGHT,
      stream: { maxMessages: v.STREAM_MAX_QUEUED_MESSAGES, maxBytes: v.STREAM_MAX_QUEUED_BYTES },
    },
    ticker: {
      minIntervalMs: v.TICKER_MIN_INTERVAL_MS,
      finishedForMs: v.TICKER_FINISHED_FOR_S * 1000,
      ringSize: v.TICKER_RING_SIZE,
    },
    webhooks: {
      retry: {
        baseDelayS: v.WEBHOOK_RETRY_BASE_S,
        maxDelayS: v.WEBHOOK_RETRY_MAX_DELAY_S,
        windowS: v.WEBHOOK_RETRY_WINDOW_S,
        // Below the deliveries queue's max_retries (100) in wrangler.toml: we dead-letter first.
        maxAttempts: 100,
      },
      timeoutMs: v.WEBHOOK_TIMEOUT_MS,
      pauseAfterMs: v.WEBHOOK_PAUSE_AFTER_S * 1000,
      rotationGraceMs: v.WEBHOOK_ROTATION_GRACE_S * 1000,
      allowLoopbackHttp: v.WEBHOOK_ALLOW_LOOPBACK_HTTP === "true" || v.WEBHOOK_ALLOW_LOOPBACK_HTTP === "1",
    },
    fastRead: {
      upstash:
        v.UPSTASH_REDIS_REST_URL && v.UPSTASH_REDIS_REST_TOKEN
          ? { url: v.UPSTASH_REDIS_REST_URL, token: v.UPSTASH_REDIS_REST_TOKEN }
          : null,
      timeoutMs: v.FAST_READ_TIMEOUT_MS,
      breakerFailures: v.FAST_READ_BREAKER_FAILURES,
      breakerCooldownMs: v.FAST_READ_BREAKER_COOLDOWN_MS,
      readModelTtlS: v.READ_MODEL_TTL_S,
      rules: { connect: v.RATE_LIMIT_CONNECT, read: v.RATE_LIMIT_READ, ingest: v.RATE_LIMIT_INGEST },
    },
  };
}
