import { isRegion } from "../edge/region.ts";
import type { TickerRoomRpc } from "./ticker-rpc.ts";

/** Durable Object name of a ticker room: one per (region, shard). */
export function tickerRoomName(region: string, shard: number): string {
  return `ticker/${region}/${shard}`;
}

/** The ticker room for (region, shard), created near its viewers with the region's location hint. */
export function tickerRoomStub(env: Env, region: string, shard: number): TickerRoomRpc {
  const id = env.TICKER_ROOM.idFromName(tickerRoomName(region, shard));
  // The generated stub types cannot follow the headline JSON; the interface is the contract.
  return env.TICKER_ROOM.get(
    id,
    isRegion(region) ? { locationHint: region } : undefined,
  ) as unknown as TickerRoomRpc;
}

/** The ticker room's HTTP side (a viewer's upgrade), for the Worker's handoff. */
export function tickerRoomFetcher(env: Env, region: string, shard: number): Fetcher {
  const id = env.TICKER_ROOM.idFromName(tickerRoomName(region, shard));
  return env.TICKER_ROOM.get(id, isRegion(region) ? { locationHint: region } : undefined);
}
