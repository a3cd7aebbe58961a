/**
 * The ticker tree's RPCs, as interfaces: what the match index answers ticker rooms (the
 * source), and what a ticker room answers its parent and children. Callers hold stubs typed
 * by these (./ticker-stubs.ts), never the classes.
 */
import type { TickerPublication } from "../protocol/ticker.ts";

/** The ticker version a parent holds: a child behind it pulls (a lost publication heals at the next tick). */
export interface TickerHeadAnswer {
  epoch: string | null;
  version: number;
}

export interface TickerRoomIdentity {
  region: string;
  shard: number;
}

/** The match index's side of the ticker. */
export interface TickerSourceRpc {
  /** The changes after `since` of `epoch` when its log reaches back, else every headline. */
  tickerSince(epoch: string | null, since: number): Promise<TickerPublication>;
  /** A region hub joins (or, every presence tick, stays in) the ticker tree; answers the ticker's head. */
  joinTicker(region: string): Promise<TickerHeadAnswer>;
  leaveTicker(region: string): Promise<void>;
}

/** One ticker room: the ticker's viewers in one region, one shard. */
export interface TickerRoomRpc {
  /** Changes (or every headline) from the parent; `active: false` tells the parent to drop this child. */
  publish(publication: TickerPublication): Promise<{ active: boolean }>;
  /** A child joins (or, every tick, stays in) this shard's subtree; answers the head this shard holds. */
  registerChild(identity: TickerRoomIdentity, viewers: number): Promise<TickerHeadAnswer>;
  unregisterChild(shard: number): Promise<void>;
  stats(): Promise<{ sockets: number; children: number[]; epoch: string | null; version: number }>;
}
