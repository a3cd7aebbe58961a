/**
 * A match's room (durable-objects/match-room.ts): one per (match, region, shard), created near its
 * viewers with the region's location hint. What it answers over RPC (the fan-out core's RPCs and
 * `remove`), and its stub and HTTP side.
 */
import { roomName } from "../edge/fanout-tree.ts";
import type { Publication } from "../protocol/publication.ts";
import type { RoomIdentity } from "../protocol/room-handoff.ts";
import type { FanoutRoomRpc } from "./fanout.ts";
import { fetcherOf, typedStub } from "./typed-stub.ts";

/** One room of the publication tree: the viewers of one match in one region, one shard. */
export interface RoomRpc extends FanoutRoomRpc<RoomIdentity, Publication> {
  /** The match was removed: close every socket (4004), pass it down to the children, forget everything. */
  remove(): Promise<void>;
}

export function roomStub(env: Env, matchId: string, region: string, shard: number): RoomRpc {
  return typedStub<RoomRpc>(env.MATCH_ROOM, roomName(matchId, region, shard), region);
}

/** The room's HTTP side (a viewer's upgrade), for the Worker's handoff. */
export function roomFetcher(env: Env, matchId: string, region: string, shard: number): Fetcher {
  return fetcherOf(env.MATCH_ROOM, roomName(matchId, region, shard), region);
}
