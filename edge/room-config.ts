/** A room's knobs (parsed in config/crease-config.ts). Defaults are the measured ones (docs/fan-out.md). */
export interface RoomConfig {
  /** Sockets one room holds before new viewers go to the next shard. */
  maxSockets: number;
  /** Children per node of the publication tree. */
  fanout: number;
  /** Shards a region may open for one match. */
  maxShards: number;
  /** Recent patches a room keeps for resumes (the ledger's log is the backstop behind it). */
  ringSize: number;
  presenceIntervalMs: number;
  admitPerSecond: number;
  admitBurst: number;
  /** A child that has not reported for this long has left the tree. */
  childTimeoutMs: number;
  slowBehindVersions: number;
  slowAfterMs: number;
  slowCloseAfterMs: number;
}
