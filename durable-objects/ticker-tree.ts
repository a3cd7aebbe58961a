/**
 * A ticker room's place in its region's ticker tree, as ./room-tree.ts is a match room's: the
 * hub (shard 0) joins the match index, any other shard its parent shard; reports double as
 * joins, so a parent that lost track of a child heals; versions go down to the children.
 */
import { childShards, parentShard } from "../edge/fanout-tree.ts";
import type { TickerPublication } from "../protocol/ticker.ts";
import { matchIndexStub } from "./stubs.ts";
import type { TickerHeadAnswer, TickerRoomIdentity } from "./ticker-rpc.ts";
import { tickerRoomStub } from "./ticker-stubs.ts";

export class TickerTree {
  constructor(
    private readonly env: Env,
    private readonly fanout: number,
    private readonly maxShards: number,
  ) {}

  /** Joins (or reports to) the parent; answers the head the parent holds. */
  report(identity: TickerRoomIdentity, viewers: number): Promise<TickerHeadAnswer> {
    const parent = parentShard(identity.shard, this.fanout);
    return parent === null
      ? matchIndexStub(this.env).joinTicker(identity.region)
      : tickerRoomStub(this.env, identity.region, parent).registerChild(identity, viewers);
  }

  async leave(identity: TickerRoomIdentity): Promise<void> {
    const parent = parentShard(identity.shard, this.fanout);
    if (parent === null) await matchIndexStub(this.env).leaveTicker(identity.region);
    else await tickerRoomStub(this.env, identity.region, parent).unregisterChild(identity.shard);
  }

  /** Sends to each child this shard may have; resolves with those that say nobody is left (to forget). */
  async forward(
    identity: TickerRoomIdentity,
    children: readonly number[],
    publication: TickerPublication,
  ): Promise<number[]> {
    const allowed = new Set(childShards(identity.shard, this.fanout, this.maxShards));
    const gone: number[] = [];
    await Promise.all(
      children
        .filter((shard) => allowed.has(shard))
        .map(async (shard) => {
          try {
            const { active } = await tickerRoomStub(this.env, identity.region, shard).publish(publication);
            if (!active) gone.push(shard);
          } catch (error) {
            console.error("ticker forward failed", describeTicker(identity), "child", shard, String(error));
          }
        }),
    );
    return gone;
  }

  parentShard(identity: TickerRoomIdentity): number | null {
    return parentShard(identity.shard, this.fanout);
  }
}

/** A ticker room's name in logs. */
export function describeTicker(identity: TickerRoomIdentity | null): string {
  return identity ? `ticker room ${identity.region}/${identity.shard}` : "ticker room (no identity yet)";
}
