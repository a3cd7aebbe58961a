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
});

export type WorkerConfig = {
  maxBodyBytes: number;
  signatureToleranceS: number;
  ledgerLocationHint: (typeof LOCATION_HINTS)[number];
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
  };
  cache.set(env, config);
  return config;
}
