/**
 * What every fan-out room answers and asks, whatever its feed (durable-objects/fanout-room.ts):
 * the RPCs between a room, its parent and its children. The feeds' own interfaces (./rpc.ts for
 * a match's rooms, ./ticker-rpc.ts for the ticker's) are these with their identity and publication.
 * The shapes are edge/fanout-tree.ts's, where the tree's pure logic uses them.
 */
import type { ShardPort, TreeParentPort, UpstreamAnswer } from "../edge/fanout-tree.ts";

/** What the parent in the publication tree answers a report: the viewers over the tree and its position. */
export type Upstream = UpstreamAnswer;

/** The node above a room: the root object (the ledger, the match index) for a hub, else the parent shard. */
export type TreeParent = TreeParentPort;

export interface RoomStats {
  sockets: number;
  children: number[];
  seq: number;
  epoch: string | null;
  hasState: boolean;
}

/** What every fan-out room answers its parent and children. */
export interface FanoutRoomRpc<I, P> extends ShardPort<I, P> {
  stats(): Promise<RoomStats>;
}
