import {
  type FastRead,
  type PresenceCounts,
  type PresenceReport,
  parseStoredMatch,
  type RateDecision,
  type RateRule,
  type StoredMatch,
} from "./fast-read.ts";

/** Rate-limit counters are spread over this many objects by key, so no one object takes every request. */
const LIMIT_SHARDS = 16;

/** What the embedded store object answers (the `FastReadStore` Durable Object implements it). */
export interface FastReadStoreRpc {
  reportPresence(report: PresenceReport): Promise<void>;
  presence(now: number, freshMs: number): Promise<PresenceCounts>;
  putMatch(body: string, seq: number, ttlSeconds: number, now: number): Promise<void>;
  getMatch(now: number): Promise<string | null>;
  /** Forgets the match's presence and read model (the match is being removed). */
  clear(): Promise<void>;
  hit(key: string, limit: number, windowSeconds: number, now: number, cost: number): Promise<RateDecision>;
}

/** The slice of a Durable Object namespace this adapter uses. */
export interface StoreNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): unknown;
}

/** The default when no Upstash is configured: the same interface on Durable Object storage. */
export class EmbeddedFastRead implements FastRead {
  readonly mode = "embedded" as const;

  constructor(private readonly namespace: StoreNamespace) {}

  private store(name: string): FastReadStoreRpc {
    // A stub's methods are the object's, by RPC: the interface is the contract.
    return this.namespace.get(this.namespace.idFromName(name)) as FastReadStoreRpc;
  }

  reportPresence(report: PresenceReport): Promise<void> {
    return this.store(`match:${report.matchId}`).reportPresence(report);
  }

  presence(matchId: string, now: number, freshMs: number): Promise<PresenceCounts> {
    return this.store(`match:${matchId}`).presence(now, freshMs);
  }

  putMatch(match: StoredMatch, ttlSeconds: number): Promise<void> {
    return this.store(`match:${match.matchId}`).putMatch(
      JSON.stringify(match),
      match.seq,
      ttlSeconds,
      Date.now(),
    );
  }

  async getMatch(matchId: string): Promise<StoredMatch | null> {
    return parseStoredMatch(await this.store(`match:${matchId}`).getMatch(Date.now()));
  }

  deleteMatch(matchId: string): Promise<void> {
    return this.store(`match:${matchId}`).clear();
  }

  limit(rule: RateRule, key: string, cost = 1): Promise<RateDecision> {
    const shard = hash(key) % LIMIT_SHARDS;
    return this.store(`limit:${rule.name}:${shard}`).hit(
      `${rule.name}:${key}`,
      rule.limit,
      rule.windowSeconds,
      Date.now(),
      cost,
    );
  }
}

/** FNV-1a: a cheap, stable spread of keys over shards (not a security boundary). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
