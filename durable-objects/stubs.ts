import { readConfig } from "../config/crease-config.ts";
import { roomName } from "../edge/fanout-tree.ts";
import { isRegion, type Region } from "../edge/region.ts";
import type { LedgerRpc, MatchIndexRpc, RoomRpc } from "./rpc.ts";

/*
 * One stub factory per Durable Object, typed by the interface it implements (./rpc.ts).
 * The generated stub types map every return value through `Rpc.Serializable`, which cannot
 * follow a recursive JSON type (a match state, a patch) and gives up; the values are
 * structured-cloned either way, so the interface is the contract and the cast lives here only.
 */

/**
 * The ledger of a match. The match id is the partition key; the location hint keeps every
 * ledger (the writers) in one central region, whichever edge asked first.
 */
export function ledgerStub(env: Env, matchId: string): LedgerRpc {
  const locationHint = readConfig(env).ledger.locationHint;
  return env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId), { locationHint }) as unknown as LedgerRpc;
}

/** The room for (match, region, shard), created near its viewers with the region's location hint. */
export function roomStub(env: Env, matchId: string, region: string, shard: number): RoomRpc {
  const id = env.MATCH_ROOM.idFromName(roomName(matchId, region, shard));
  return env.MATCH_ROOM.get(
    id,
    isRegion(region) ? { locationHint: region } : undefined,
  ) as unknown as RoomRpc;
}

/** The room's HTTP side (a viewer's upgrade), for the Worker's handoff. */
export function roomFetcher(env: Env, matchId: string, region: Region, shard: number): Fetcher {
  const id = env.MATCH_ROOM.idFromName(roomName(matchId, region, shard));
  return env.MATCH_ROOM.get(id, { locationHint: region });
}

/** The deployment's match directory: one object. */
export function matchIndexStub(env: Env): MatchIndexRpc {
  return env.MATCH_INDEX.get(env.MATCH_INDEX.idFromName("all")) as unknown as MatchIndexRpc;
}
