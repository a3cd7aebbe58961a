/**
 * A ticker room (durable-objects/ticker-room.ts): one per (region, shard), created near its
 * viewers with the region's location hint. Its RPCs are the fan-out core's, with the ticker's
 * identity and publication.
 */
import type { TreePosition } from "../protocol/room-handoff.ts";
import type { TickerPublication } from "../protocol/ticker.ts";
import type { FanoutRoomRpc } from "./fanout.ts";
import { fetcherOf, typedStub } from "./typed-stub.ts";

/** A ticker room's name: the region's tree and the shard in it. */
export type TickerRoomIdentity = TreePosition;

/** One ticker room: the ticker's viewers in one region, one shard. */
export type TickerRoomRpc = FanoutRoomRpc<TickerRoomIdentity, TickerPublication>;

/** Durable Object name of a ticker room: one per (region, shard). */
export function tickerRoomName(region: string, shard: number): string {
  return `ticker/${region}/${shard}`;
}

export function tickerRoomStub(env: Env, region: string, shard: number): TickerRoomRpc {
  return typedStub<TickerRoomRpc>(env.TICKER_ROOM, tickerRoomName(region, shard), region);
}

/** The ticker room's HTTP side (a viewer's upgrade), for the Worker's handoff. */
export function tickerRoomFetcher(env: Env, region: string, shard: number): Fetcher {
  return fetcherOf(env.TICKER_ROOM, tickerRoomName(region, shard), region);
}
