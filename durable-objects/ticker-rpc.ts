/**
 * The ticker tree's RPCs, as interfaces: what the match index answers ticker rooms (the
 * source), and what a ticker room answers its parent and children. Callers hold stubs typed
 * by these (./ticker-stubs.ts), never the classes.
 */
import type { TreePosition } from "../protocol/room-handoff.ts";
import type { TickerPublication } from "../protocol/ticker.ts";
import type { FanoutRoomRpc } from "./fanout-rpc.ts";

/** The ticker version a parent holds: a child behind it pulls (a lost publication heals at the next tick). */
export interface TickerHeadAnswer {
  epoch: string | null;
  version: number;
}

/** A ticker room's name: the region's tree and the shard in it. */
export type TickerRoomIdentity = TreePosition;

/** The match index's side of the ticker. */
export interface TickerSourceRpc {
  /** The changes after `since` of `epoch` when its log reaches back, else every headline. */
  tickerSince(epoch: string | null, since: number): Promise<TickerPublication>;
  /** A region hub joins (or, every presence tick, stays in) the ticker tree; answers the ticker's head. */
  joinTicker(region: string): Promise<TickerHeadAnswer>;
  leaveTicker(region: string): Promise<void>;
}

/** One ticker room: the ticker's viewers in one region, one shard (the fan-out core's RPCs). */
export type TickerRoomRpc = FanoutRoomRpc<TickerRoomIdentity, TickerPublication>;
