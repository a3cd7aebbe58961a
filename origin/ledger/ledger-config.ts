/** The ledger's knobs (parsed in config/crease-config.ts). */
export interface LedgerConfig {
  snapshotEvery: number;
  gapTimeoutMs: number;
  maxAhead: number;
  /** The most missing seqs one gap timeout moves past (`LEDGER_MAX_SKIP`). */
  maxSkip: number;
}
