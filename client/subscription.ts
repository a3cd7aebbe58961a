import type { LiveFormat } from "../protocol/state-delta.ts";
import type { WebSocketConstructorLike } from "./websocket-like.ts";

/**
 * - `connecting`: the first connection, until its snapshot (or resume) arrives.
 * - `open`: in sync and receiving patches.
 * - `resyncing`: a gap or a bad frame; a resume was asked for over the open socket.
 * - `reconnecting`: waiting out the backoff, or connected again and not yet in sync.
 * - `closed`: final, by `close()` or by a close code that forbids reconnecting.
 */
export type SubscriptionStatus = "connecting" | "open" | "resyncing" | "reconnecting" | "closed";

/** One applied version: a patch (`prev` is the seq it applied to) or a snapshot. */
export interface UpdateEvent<S> {
  seq: number;
  /** The seq held before: a patch's `prev`; for a snapshot, the previous seq or null. */
  prev: number | null;
  state: S;
}

export interface PresenceEvent {
  viewers: number;
  /** The newest seq the room knows of. */
  seq: number;
  /** True when the count is the last known one (the presence source is unavailable). */
  stale: boolean;
}

export interface SubscriptionEvents<S> {
  update: UpdateEvent<S>;
  status: SubscriptionStatus;
  presence: PresenceEvent;
  /** Bad frames and patches that fail to apply (the client resyncs after), and final closes. */
  error: Error;
}

/** How any feed (the match feed, the ticker) connects, beats and reconnects. */
export interface FeedOptions {
  /** Required in Node 20, which has no global WebSocket: pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructorLike;
  /** How often to ping. Default 15 000. */
  heartbeatIntervalMs?: number;
  /** No frame of any kind for this long means the connection is dead. Default 12 000. */
  heartbeatTimeoutMs?: number;
  /** Reconnection waits: full jitter over [0, min(maxMs, baseMs · 2^attempt)]. Defaults 500 / 30 000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Uniform in [0, 1). Injectable for tests; default `Math.random`. */
  random?: () => number;
  /** Milliseconds since the epoch. Injectable for tests; default `Date.now`. */
  now?: () => number;
}

export interface SubscribeOptions<S = unknown> extends FeedOptions {
  /** The API origin, `https://…` or `wss://…`; the feed is at `{baseUrl}/v1/matches/:matchId/ws`. */
  baseUrl: string;
  matchId: string;
  /** Resume from this seq of `epoch` instead of starting from a snapshot. */
  since?: number;
  epoch?: string;
  /**
   * The state at `since` (from an HTTP snapshot or a cache), so that resumed patches have
   * something to apply to. Without it, a resumed patch makes the client start over from a
   * fresh snapshot.
   */
  state?: S;
  /** Pin the edge region (otherwise the nearest). */
  region?: string;
  /**
   * `json-patch` (default): RFC 6902 patches. `fossil`: byte-level deltas of the state's
   * canonical JSON, about 5x smaller per ball, at the cost of keeping the state's text too.
   */
  format?: LiveFormat;
  /** A private match's token, sent as the `crease.token.<token>` subprotocol. */
  token?: string;
}

/** A live view of one match: the latest state, and events as it changes. */
export interface Subscription<S> {
  /** The state at `seq`, or null before the first snapshot. Never mutated once handed out. */
  readonly state: S | null;
  readonly seq: number | null;
  readonly epoch: string | null;
  readonly status: SubscriptionStatus;
  readonly viewers: number | null;
  /** When the last frame of any kind arrived (per `now`). */
  readonly lastMessageAt: number | null;
  /** When the last version was applied (per `now`). */
  readonly lastUpdateAt: number | null;
  /** Milliseconds since the last frame of any kind; Infinity before the first. */
  staleMs(): number;
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof SubscriptionEvents<S>>(
    event: K,
    fn: (payload: SubscriptionEvents<S>[K]) => void,
  ): () => void;
  /** Stops for good: closes the socket, clears every timer, never reconnects. */
  close(): void;
}
