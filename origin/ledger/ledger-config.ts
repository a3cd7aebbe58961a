import { z } from "zod";

/** The ledger's knobs, read from the Worker's vars (strings) and checked once. */
export interface LedgerConfig {
  snapshotEvery: number;
  gapTimeoutMs: number;
  maxAhead: number;
}

const schema = z.object({
  SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(10_000).default(50),
  GAP_TIMEOUT_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  LEDGER_MAX_AHEAD: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
});

export function readLedgerConfig(vars: Record<string, unknown>): LedgerConfig {
  const parsed = schema.safeParse(vars);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid ledger configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return {
    snapshotEvery: parsed.data.SNAPSHOT_EVERY,
    gapTimeoutMs: parsed.data.GAP_TIMEOUT_MS,
    maxAhead: parsed.data.LEDGER_MAX_AHEAD,
  };
}
