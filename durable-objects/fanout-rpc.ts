/**
 * What every fan-out room answers and asks, whatever its feed (durable-objects/fanout-room.ts):
 * the RPCs between a room, its parent and its children. The feeds' own interfaces (./rpc.ts for
 * a match's rooms, ./ticker-rpc.ts for the ticker's) are these with their identity and publication.
 */

/** What the parent in the publication tree answers a report: the match's viewers and its version. */
export interface Upstream {
  viewers: number;
  seq: number;
  epoch: string | null;
}

export interface RoomStats {
  sockets: number;
  children: number[];
  seq: number;
  epoch: string | null;
  hasState: boolean;
}

/**
 * The node above a room in its tree, as the fan-out core calls it: the root object (the ledger
 * for a match, the match index for the ticker) for a region's hub, else the parent shard.
 */
export interface TreeParent {
  /** Joins; the parent's answer when it has one. */
  join(viewers: number): Promise<Upstream | null>;
  /** This subtree's viewers and the position held; answers the total and the parent's position. */
  report(viewers: number, head: { epoch: string | null; seq: number }): Promise<Upstream>;
  leave(): Promise<void>;
}

/** What every fan-out room answers its parent and children, whatever its feed (durable-objects/fanout-room.ts). */
export interface FanoutRoomRpc<I, P> {
  /** A new position from the parent; `active: false` tells the parent to drop this child. */
  publish(publication: P): Promise<{ active: boolean }>;
  /** A child joins (or, every tick, stays in) this shard's subtree; answers the total and this shard's position. */
  registerChild(identity: I, viewers: number): Promise<Upstream>;
  unregisterChild(shard: number): Promise<void>;
  stats(): Promise<RoomStats>;
}
