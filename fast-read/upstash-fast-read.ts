import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import {
  type FastRead,
  type PresenceCounts,
  type PresenceReport,
  parseStoredMatch,
  presenceMember,
  type RateDecision,
  type RateRule,
  type StoredMatch,
  sumPresence,
} from "./fast-read.ts";

/** Presence keys outlive a silent room by this much, so a match nobody watches leaves nothing behind. */
const PRESENCE_KEY_TTL_S = 120;

/**
 * Writes a state only when its seq is newer than the one stored: reads of the read model
 * never go backwards, whatever order the writes arrive in.
 */
const PUT_IF_NEWER = `
local current = tonumber(redis.call('GET', KEYS[2]) or '-1')
if current > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`;

/**
 * The fast-read layer on Upstash Redis (REST). Presence is a sorted set of rooms scored by
 * their last report plus a hash of their counts; the read model is one key per match;
 * rate limits are @upstash/ratelimit sliding windows.
 */
export class UpstashFastRead implements FastRead {
  readonly mode = "upstash" as const;
  private readonly redis: Redis;
  private readonly limiters = new Map<string, Ratelimit>();

  constructor(options: { url: string; token: string }) {
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      // Values are parsed (and checked) by us, not guessed at by the client.
      automaticDeserialization: false,
      // Retrying is the breaker's business: one attempt, fail fast.
      retry: { retries: 0 },
    });
  }

  async reportPresence(report: PresenceReport): Promise<void> {
    const member = presenceMember(report);
    const pipeline = this.redis.pipeline();
    pipeline.zadd(roomsKey(report.matchId), { score: report.at, member });
    pipeline.hset(countsKey(report.matchId), { [member]: report.viewers });
    pipeline.expire(roomsKey(report.matchId), PRESENCE_KEY_TTL_S);
    pipeline.expire(countsKey(report.matchId), PRESENCE_KEY_TTL_S);
    await pipeline.exec();
  }

  async presence(matchId: string, now: number, freshMs: number): Promise<PresenceCounts> {
    const pipeline = this.redis.pipeline();
    pipeline.zrange(roomsKey(matchId), now - freshMs, "+inf", { byScore: true });
    pipeline.hgetall(countsKey(matchId));
    const [members, counts] = await pipeline.exec<[unknown, unknown]>();
    const live = new Set(Array.isArray(members) ? members.map(String) : []);
    const rooms: { member: string; viewers: number }[] = [];
    for (const [member, value] of hashEntries(counts)) {
      const viewers = Number(value);
      if (live.has(member) && Number.isFinite(viewers)) rooms.push({ member, viewers });
    }
    return sumPresence(rooms);
  }

  async putMatch(match: StoredMatch, ttlSeconds: number): Promise<void> {
    await this.redis.eval(
      PUT_IF_NEWER,
      [matchKey(match.matchId), matchSeqKey(match.matchId)],
      [JSON.stringify(match), String(match.seq), String(ttlSeconds)],
    );
  }

  async getMatch(matchId: string): Promise<StoredMatch | null> {
    return parseStoredMatch(await this.redis.get(matchKey(matchId)));
  }

  async deleteMatch(matchId: string): Promise<void> {
    await this.redis.del(matchKey(matchId), matchSeqKey(matchId), roomsKey(matchId), countsKey(matchId));
  }

  async limit(rule: RateRule, key: string, cost = 1): Promise<RateDecision> {
    const result = await this.limiter(rule).limit(key, { rate: cost });
    return { allowed: result.success, retryAfterMs: Math.max(0, result.reset - Date.now()) };
  }

  private limiter(rule: RateRule): Ratelimit {
    const id = `${rule.name}:${rule.limit}:${rule.windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowSeconds} s`),
        prefix: `crease:rl:${rule.name}`,
        // Our breaker owns timeouts; the library's own would answer "allowed" on its own terms.
        timeout: 0,
        analytics: false,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/**
 * HGETALL's reply without the client's automatic deserialisation is the flat Redis array
 * `[field, value, field, value, ...]`; with it, an object. Either way, parsed here.
 */
function hashEntries(reply: unknown): [string, unknown][] {
  if (Array.isArray(reply)) {
    const entries: [string, unknown][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) entries.push([String(reply[i]), reply[i + 1]]);
    return entries;
  }
  return reply && typeof reply === "object" ? Object.entries(reply) : [];
}

/**
 * Keys hold the match id in braces-free, colon-free form (percent-encoded), so no id can reach
 * into another match's keys: "a:seq" is never the seq key of "a". The prefix is versioned: a
 * deploy with new keys starts an empty read model and rebuilds it from the ledgers.
 */
const id = (matchId: string) => encodeURIComponent(matchId);
const roomsKey = (matchId: string) => `crease:v2:presence:${id(matchId)}:rooms`;
const countsKey = (matchId: string) => `crease:v2:presence:${id(matchId)}:counts`;
const matchKey = (matchId: string) => `crease:v2:match:${id(matchId)}:state`;
const matchSeqKey = (matchId: string) => `crease:v2:match:${id(matchId)}:seq`;
