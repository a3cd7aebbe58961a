/**
 * A room's place in its region's publication tree: joining (the hub registers with the
 * ledger, any other shard with its parent shard), leaving, reporting viewers up (which
 * doubles as registering again, so a parent that lost track of a child heals), and
 * forwarding versions to children. The RPC side of the tree, kept out of the room's shell.
 */
import { childShards, parentShard } from "../edge/fanout-tree.ts";
import type { Publication } from "../protocol/publication.ts";
import type { RoomIdentity, Upstream } from "./rpc.ts";
import { ledgerStub, roomStub } from "./stubs.ts";

export class RoomTree {
  constructor(
    private readonly env: Env,
    private readonly fanout: number,
    private readonly maxShards: number,
  ) {}

  /** Joins the tree; the parent's answer when it has one (a shard's parent reports the match's viewers). */
  async join(identity: RoomIdentity, localViewers: number): Promise<Upstream | null> {
    const parent = parentShard(identity.shard, this.fanout);
    if (parent === null) {
      await ledgerStub(this.env, identity.matchId).registerRegion(identity.matchId, identity.region);
      return null;
    }
    return this.parent(identity, parent).registerChild(identity, localViewers);
  }

  async leave(identity: RoomIdentity): Promise<void> {
    const parent = parentShard(identity.shard, this.fanout);
    if (parent === null)
      await ledgerStub(this.env, identity.matchId).unregisterRegion(identity.matchId, identity.region);
    else await this.parent(identity, parent).unregisterChild(identity.shard);
  }

  /** Reports this subtree's viewers and the version held; the parent answers with the match's total and its version. */
  async report(identity: RoomIdentity, viewers: number, headSeq: number): Promise<Upstream> {
    const parent = parentShard(identity.shard, this.fanout);
    return parent === null
      ? ledgerStub(this.env, identity.matchId).reportRegion(
          identity.matchId,
          identity.region,
          viewers,
          headSeq,
        )
      : this.parent(identity, parent).registerChild(identity, viewers);
  }

  /**
   * Sends a version to each child this shard may have; resolves with the children that say
   * they no longer hold anyone (to forget). A failed child is logged and pulls on its next tick.
   */
  async forward(
    identity: RoomIdentity,
    children: readonly number[],
    publication: Publication,
  ): Promise<number[]> {
    const allowed = new Set(childShards(identity.shard, this.fanout, this.maxShards));
    const gone: number[] = [];
    await Promise.all(
      children
        .filter((shard) => allowed.has(shard))
        .map(async (shard) => {
          try {
            const { active } = await roomStub(this.env, identity.matchId, identity.region, shard).publish(
              publication,
            );
            if (!active) gone.push(shard);
          } catch (error) {
            console.error("forward to child failed", describe(identity), "child", shard, String(error));
          }
        }),
    );
    return gone;
  }

  /** Passes a removal down to each child shard (which passes it to its own). */
  async removeChildren(identity: RoomIdentity, children: readonly number[]): Promise<void> {
    await Promise.all(
      children.map((shard) =>
        roomStub(this.env, identity.matchId, identity.region, shard)
          .remove()
          .catch((error) =>
            console.error("remove child failed", describe(identity), "child", shard, String(error)),
          ),
      ),
    );
  }

  /** The shard above this one, for the parent's own identity. */
  parentIdentity(identity: RoomIdentity): RoomIdentity {
    return { ...identity, shard: parentShard(identity.shard, this.fanout) ?? 0 };
  }

  private parent(identity: RoomIdentity, shard: number) {
    return roomStub(this.env, identity.matchId, identity.region, shard);
  }
}

/** A room's name in logs: every error says which match, region and shard it came from. */
export function describe(identity: RoomIdentity | null): string {
  return identity
    ? `room ${identity.matchId}/${identity.region}/${identity.shard}`
    : "room (no identity yet)";
}
