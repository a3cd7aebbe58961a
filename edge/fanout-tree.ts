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

/** A room's answer from above: the total viewers and the parent's position. */
export interface UpstreamAnswer {
  viewers: number;
  seq: number;
  epoch: string | null;
}

/** The node above a room, as a room calls it: the root object for a hub, else the parent shard. */
export interface TreeParentPort {
  join(viewers: number): Promise<UpstreamAnswer | null>;
  report(viewers: number, head: { epoch: string | null; seq: number }): Promise<UpstreamAnswer>;
  leave(): Promise<void>;
}

/** What a room asks of a sibling shard (its parent or a child). */
export interface ShardPort<I, P> {
  publish(publication: P): Promise<{ active: boolean }>;
  registerChild(identity: I, viewers: number): Promise<UpstreamAnswer>;
  unregisterChild(shard: number): Promise<void>;
}

/**
 * The node above `identity`: `root` for a region's hub (shard 0), else the parent shard, to which
 * a join and a report are both a `registerChild` (so a parent that lost track of a child heals).
 */
export function parentOf<I extends { shard: number }, P>(
  identity: I,
  fanout: number,
  root: () => TreeParentPort,
  shard: (shard: number) => ShardPort<I, P>,
): TreeParentPort {
  const above = parentShard(identity.shard, fanout);
  if (above === null) return root();
  const parent = shard(above);
  return {
    join: (viewers) => parent.registerChild(identity, viewers),
    report: (viewers) => parent.registerChild(identity, viewers),
    leave: () => parent.unregisterChild(identity.shard),
  };
}

/**
 * Sends a publication to each child this shard may have (others are ignored); resolves with the
 * children that said nobody is left (to forget). A failed child is reported and pulls on its tick.
 */
export async function forwardToChildren(
  position: { shard: number },
  children: readonly number[],
  limits: { fanout: number; maxShards: number },
  send: (shard: number) => Promise<{ active: boolean }>,
  failed: (shard: number, error: unknown) => void,
): Promise<number[]> {
  const allowed = new Set(childShards(position.shard, limits.fanout, limits.maxShards));
  const gone: number[] = [];
  await Promise.all(
    children
      .filter((shard) => allowed.has(shard))
      .map(async (shard) => {
        try {
          if (!(await send(shard)).active) gone.push(shard);
        } catch (error) {
          failed(shard, error);
        }
      }),
  );
  return gone;
}
