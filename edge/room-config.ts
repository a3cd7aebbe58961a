import { z } from "zod";

/** A room's knobs, from the Worker's vars. Defaults are the measured ones (docs/fan-out.md). */
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

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
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
});

export function readRoomConfig(vars: Record<string, unknown>): RoomConfig {
  const parsed = schema.safeParse(vars);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid room configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const v = parsed.data;
  return {
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
  };
}
