import { z } from "zod";

const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;

const schema = z.object({
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  SIGNATURE_TOLERANCE_S: z.coerce.number().int().min(1).max(86_400).default(300),
  LEDGER_LOCATION_HINT: z.enum(LOCATION_HINTS).default("weur"),
  ALLOWED_ORIGINS: z.string().default("*"),
  ALLOW_REGION_OVERRIDE: z.enum(["true", "false", "1", "0", ""]).default("false"),
  PRIVATE_MATCHES: z.string().default(""),
  VIEWER_TOKEN_SECRET: z.string().optional(),
  ROOM_MAX_SHARDS: z.coerce.number().int().min(1).max(4096).default(256),
});

const list = (value: string) =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

export type WorkerConfig = {
  maxBodyBytes: number;
  signatureToleranceS: number;
  ledgerLocationHint: (typeof LOCATION_HINTS)[number];
  /** Origins allowed to open WebSockets; null means any. */
  allowedOrigins: string[] | null;
  allowRegionOverride: boolean;
  privateMatches: string[];
  viewerTokenSecret: string | null;
  maxShards: number;
};

const cache = new WeakMap<object, WorkerConfig>();

/** The Worker's vars, parsed once per env object; a bad value fails loudly with its name. */
export function readWorkerConfig(env: Env): WorkerConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const config = {
    maxBodyBytes: parsed.data.MAX_BODY_BYTES,
    signatureToleranceS: parsed.data.SIGNATURE_TOLERANCE_S,
    ledgerLocationHint: parsed.data.LEDGER_LOCATION_HINT,
    allowedOrigins: list(parsed.data.ALLOWED_ORIGINS).includes("*")
      ? null
      : list(parsed.data.ALLOWED_ORIGINS),
    allowRegionOverride: ["true", "1"].includes(parsed.data.ALLOW_REGION_OVERRIDE),
    privateMatches: list(parsed.data.PRIVATE_MATCHES),
    viewerTokenSecret: parsed.data.VIEWER_TOKEN_SECRET || null,
    maxShards: parsed.data.ROOM_MAX_SHARDS,
  };
  cache.set(env, config);
  return config;
}
