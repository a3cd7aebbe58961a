import { roomName } from "../edge/fanout-tree.ts";
import type { Region } from "../edge/region.ts";
import type { MatchLedger } from "./match-ledger.ts";
import type { MatchRoom } from "./match-room.ts";

/**
 * The Durable Object methods other objects call, typed by the classes themselves. The
 * generated stub types map every return value through `Rpc.Serializable`, which cannot
 * follow a recursive JSON type (a match state, a patch) and gives up; the values are
 * structured-cloned either way, so the class's own signatures are the contract.
 */
type Remote<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never;
};

/** Every RPC method of the ledger, typed by the class. */
export type LedgerApi = Remote<MatchLedger>;

export type LedgerRpc = Pick<
  Remote<MatchLedger>,
  "snapshot" | "resume" | "registerRegion" | "unregisterRegion" | "reportRegion"
>;
export type RoomRpc = Pick<Remote<MatchRoom>, "publish" | "registerChild" | "unregisterChild" | "stats">;

export function ledgerRpc(env: Env, matchId: string): LedgerRpc {
  return env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId)) as unknown as LedgerRpc;
}

/** The room for (match, region, shard), created near its viewers with the region's location hint. */
export function roomRpc(env: Env, matchId: string, region: string, shard: number): RoomRpc {
  const id = env.MATCH_ROOM.idFromName(roomName(matchId, region, shard));
  return env.MATCH_ROOM.get(id, { locationHint: region as Region }) as unknown as RoomRpc;
}
