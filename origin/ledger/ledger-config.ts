/** The ledger's knobs (parsed in config/crease-config.ts). */
export interface LedgerConfig {
  snapshotEvery: number;
  gapTimeoutMs: number;
  maxAhead: number;
}
