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
  /** A socket that sent nothing (no ping, no ack) for this long is closed (4009). */
  silentAfterMs: number;
  /** Each socket's frame meter (edge/frame-meter.ts): tokens at most, tokens back per second. */
  frameBurst: number;
  framePerSecond: number;
  /** At most one asked-for snapshot per socket per this long. */
  snapshotCooldownMs: number;
}

/** The slow-reader and silence rule's knobs, out of the room's (edge/room-stream.ts `judgeReader`). */
export function readerPolicy(config: RoomConfig): {
  behindVersions: number;
  afterMs: number;
  closeAfterMs: number;
  silentAfterMs: number;
} {
  return {
    behindVersions: config.slowBehindVersions,
    afterMs: config.slowAfterMs,
    closeAfterMs: config.slowCloseAfterMs,
    silentAfterMs: config.silentAfterMs,
  };
}
