/**
 * A room's membership in its feed's publication tree (./fanout-tree.ts), as the fan-out core
 * (durable-objects/fanout-room.ts) uses it: join the parent when the room's first viewer or
 * child arrives, report its viewers up at each presence tick and learn the tree's total and the
 * parent's position on the way back, leave when nobody is left, forward each publication to the
 * child shards, and keep the children's reports. It talks to other rooms only through the ports
 * it is given, so it runs anywhere a port can be faked. The room passes itself (as `MemberRoom`)
 * to each call rather than once at construction, so nothing here holds on to one instance of it.
 */
import {
  forwardToChildren,
  parentOf,
  parentShard,
  type ShardPort,
  type TreeParentPort,
  type UpstreamAnswer,
} from "./fanout-tree.ts";
import type { RoomConfig } from "./room-config.ts";
import { behindUpstream, expiredChildren, type Head } from "./room-stream.ts";

/** The children a room keeps (storage/tree-node-store.ts), by the reports they last sent. */
export interface ChildBook {
  children(): { shard: number; viewers: number; reportedAt: number }[];
  putChild(shard: number, viewers: number, at: number): void;
  removeChild(shard: number): void;
}

/** What the member needs of its room. */
export interface MemberRoom<I, P> {
  /** The root object a hub (shard 0) reports to, and a sibling room by shard. */
  root(identity: I): TreeParentPort;
  shard(identity: I, shard: number): ShardPort<I, P>;
  head(): Head;
  localViewers(): number;
  /** The parent holds more than the room: pull what was missed (in the room's queue). */
  pull(identity: I): Promise<void>;
  /** Work that outlives the call (a forward to the children). */
  later(work: Promise<unknown>): void;
  /** The room's name in logs. */
  describe(): string;
}

export class TreeMember<I extends { shard: number }, P> {
  /** The feed's viewers over the whole tree, as the parent last said; null before it has. */
  viewers: { total: number; stale: boolean } | null = null;

  constructor(
    private readonly book: ChildBook,
    private readonly config: Pick<RoomConfig, "fanout" | "maxShards" | "childTimeoutMs">,
  ) {}

  /** Anyone here: sockets of its own, or children that still report. */
  isActive(room: MemberRoom<I, P>): boolean {
    return room.localViewers() > 0 || this.book.children().length > 0;
  }

  /** Joins the parent (the room's first viewer or child arrived); pulls at once when asked to and behind. */
  async join(room: MemberRoom<I, P>, identity: I, pullWhenBehind: boolean): Promise<void> {
    try {
      const upstream = await this.parent(room, identity).join(room.localViewers());
      if (upstream) await this.heard(room, identity, upstream, pullWhenBehind);
    } catch (error) {
      // The presence tick registers again (reports double as registrations).
      console.error("room registration failed", room.describe(), String(error));
    }
  }

  /** The presence tick: silent children forgotten; says whether the room is still in use. */
  expire(room: MemberRoom<I, P>, now: number): boolean {
    for (const shard of expiredChildren(this.book.children(), now, this.config.childTimeoutMs))
      this.book.removeChild(shard);
    return this.isActive(room);
  }

  /** Reports this subtree's viewers up; learns the total and pulls when the parent is ahead. */
  async report(room: MemberRoom<I, P>, identity: I): Promise<void> {
    const viewers = room.localViewers() + this.book.children().reduce((n, c) => n + c.viewers, 0);
    try {
      const upstream = await this.parent(room, identity).report(viewers, room.head());
      await this.heard(room, identity, { ...upstream, viewers: Math.max(upstream.viewers, viewers) }, true);
    } catch (error) {
      this.viewers = { total: this.viewers?.total ?? viewers, stale: true };
      console.error("room report failed", room.describe(), String(error));
    }
  }

  async leave(room: MemberRoom<I, P>, identity: I): Promise<void> {
    await this.parent(room, identity)
      .leave()
      .catch(() => undefined); // the parent forgets silent children anyway
  }

  /** A child's join or report: kept, and answered with the total and this room's position. */
  registerChild(room: MemberRoom<I, P>, identity: I, viewers: number, now: number): UpstreamAnswer {
    this.book.putChild(identity.shard, viewers, now);
    const head = room.head();
    return { viewers: this.viewers?.total ?? room.localViewers(), seq: head.seq, epoch: head.epoch };
  }

  /** The parent of a child that registers with this room, by the child's shard. */
  parentShardOf(child: number): number {
    return parentShard(child, this.config.fanout) ?? 0;
  }

  /** On to the children this shard may have, at once; children that say nobody is left are forgotten. */
  forward(room: MemberRoom<I, P>, identity: I, publication: P): void {
    const children = this.book.children().map((c) => c.shard);
    if (children.length === 0) return;
    const send = (shard: number) => room.shard(identity, shard).publish(publication);
    // A child that missed it notices the jump on its next tick and pulls.
    const failed = (shard: number, error: unknown) =>
      console.error("forward to child failed", room.describe(), "child", shard, String(error));
    const forgetGone = (gone: number[]) => gone.forEach((shard) => void this.book.removeChild(shard));
    room.later(forwardToChildren(identity, children, this.config, send, failed).then(forgetGone));
  }

  private parent(room: MemberRoom<I, P>, identity: I): TreeParentPort {
    return parentOf(
      identity,
      this.config.fanout,
      () => room.root(identity),
      (s) => room.shard(identity, s),
    );
  }

  /** The parent's answer: the total viewers, and a pull when it holds more than this room. */
  private async heard(
    room: MemberRoom<I, P>,
    identity: I,
    upstream: UpstreamAnswer,
    pull: boolean,
  ): Promise<void> {
    this.viewers = { total: upstream.viewers, stale: false };
    if (pull && behindUpstream(room.head(), upstream)) await room.pull(identity);
  }
}
