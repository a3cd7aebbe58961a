/**
 * Crease's client: a live view of one match over a WebSocket, kept in sync with patches,
 * resumed across reconnects, and spread out in time when a whole audience reconnects at once.
 * Runs in browsers and in Node 20 (pass `WebSocket` from `ws` there).
 */
import { LiveSubscription } from "./live-subscription.ts";
import type { SubscribeOptions, Subscription } from "./subscription.ts";

export { type BackoffOptions, fullJitterDelay } from "./full-jitter-delay.ts";
export { ServerClosedError } from "./server-closed-error.ts";
export type {
  PresenceEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionStatus,
  UpdateEvent,
} from "./subscription.ts";
export {
  type Headline,
  type SubscribeTickerOptions,
  subscribeTicker,
  type TickerEvents,
  type TickerSubscription,
  type TickerUpdate,
} from "./ticker.ts";
export type { WebSocketConstructorLike, WebSocketLike } from "./websocket-like.ts";

/**
 * Subscribes to one match's live feed and starts connecting at once. The first message is a
 * snapshot (or, with `since`/`epoch`, the patches missed since then); patches follow. Throws
 * synchronously on a malformed `baseUrl` or `token`, or when no WebSocket is available.
 */
export function subscribe<S = unknown>(options: SubscribeOptions<S>): Subscription<S> {
  return new LiveSubscription<S>(options);
}
