/**
 * The publication tree inside one region. Shards are numbered 0, 1, 2, ... and form a
 * complete `fanout`-ary tree: shard 0 (the region's hub) is the root and the only one the
 * ledger talks to; shard k forwards to shards k·F+1 … k·F+F. So no object sends to more than
 * F children (plus its own sockets), and a region of S shards is ⌈log_F(S)⌉ hops deep.
 *
 * For 5 million viewers over 50 matches, 200,000 on the biggest, spread over (say) 4 regions
 * with 2,000 sockets a shard and F = 16: the biggest region (~100,000 viewers) needs 50 shards:
 * hub → 16 → 33 more, depth 2 below the hub; the ledger sends one message per active region
 * (at most 9). docs/fan-out.md has the arithmetic.
 */
export function parentShard(shard: number, fanout: number): number | null {
  return shard === 0 ? null : Math.floor((shard - 1) / fanout);
}

export function childShards(shard: number, fanout: number, maxShards: number): number[] {
  const out: number[] = [];
  for (let k = shard * fanout + 1; k <= shard * fanout + fanout && k < maxShards; k++) out.push(k);
  return out;
}

/** Durable Object name of a room: one per (match, region, shard). */
export function roomName(matchId: string, region: string, shard: number): string {
  return `${matchId}/${region}/${shard}`;
}
