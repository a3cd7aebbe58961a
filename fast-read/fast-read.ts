import { z } from "zod";
import type { JsonValue } from "../protocol/live-messages.ts";

/**
 * The fast-read layer: what must be read in microseconds (who is watching, the current state
 * behind plain HTTP reads, rate-limit counters), behind one interface with two implementations
 * side by side: Upstash Redis (`upstash-fast-read.ts`) and the embedded default on Durable
 * Object storage (`embedded-fast-read.ts`). One contract test suite runs against both.
 *
 * Nothing here is on the live feed's path: callers go through `GuardedFastRead`, which puts a
 * timeout and a circuit breaker around every call and says what to do when it fails.
 */
export interface FastRead {
  readonly mode: FastReadMode;
  /** One room's viewer count, written as one batch (never one write per socket). */
  reportPresence(report: PresenceReport): Promise<void>;
  /** Viewers of a match now, over rooms that reported within `freshMs` of `now`. */
  presence(matchId: string, now: number, freshMs: number): Promise<PresenceCounts>;
  /** The read model: the newest state of a match, kept for `ttlSeconds`. An older seq never overwrites a newer one. */
  putMatch(match: StoredMatch, ttlSeconds: number): Promise<void>;
  getMatch(matchId: string): Promise<StoredMatch | null>;
  /** Forgets everything held for a match: its read model and presence (the admin's "remove a match"). */
  deleteMatch(matchId: string): Promise<void>;
  /** Counts `cost` requests (default 1) against `rule` for `key`. */
  limit(rule: RateRule, key: string, cost?: number): Promise<RateDecision>;
}

export type FastReadMode = "upstash" | "embedded";

export interface PresenceReport {
  matchId: string;
  region: string;
  shard: number;
  viewers: number;
  at: number;
}

export interface PresenceCounts {
  total: number;
  byRegion: Record<string, number>;
}

export const storedMatchSchema = z.object({
  matchId: z.string(),
  epoch: z.string(),
  seq: z.number().int().min(0),
  state: z.json(),
});
export type StoredMatch = { matchId: string; epoch: string; seq: number; state: JsonValue };

export interface RateRule {
  /** Names the counter (`connect`, `read`, `ingest`). */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When a refused caller may try again. */
  retryAfterMs: number;
}

/** Parses a stored read-model value: a Redis reply is a boundary too. */
export function parseStoredMatch(raw: unknown): StoredMatch | null {
  if (typeof raw !== "string") return null;
  try {
    const parsed = storedMatchSchema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as StoredMatch) : null;
  } catch {
    return null;
  }
}

/** Sums room reports into per-region and total counts. */
export function sumPresence(rooms: { member: string; viewers: number }[]): PresenceCounts {
  const byRegion: Record<string, number> = {};
  let total = 0;
  for (const { member, viewers } of rooms) {
    const region = member.split("/")[0] ?? "?";
    byRegion[region] = (byRegion[region] ?? 0) + viewers;
    total += viewers;
  }
  return { total, byRegion };
}

/** A room's member name in the presence set. */
export function presenceMember(report: Pick<PresenceReport, "region" | "shard">): string {
  return `${report.region}/${report.shard}`;
}
