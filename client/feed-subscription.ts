/**
 * What every live feed does the same way, written once: one {@link Connection} at a time
 * (heartbeats, the silence watchdog), reconnecting after full-jitter backoff or the server's
 * `retry` hint, which close codes end the feed for good, the resume point held across
 * connections, continuity of the changes received, the deadline for getting back in sync,
 * the status, the listeners and `close()`. A feed (the match feed, the ticker) extends it and
 * says only what is its own: its URL, its frames, how it applies them and how it asks to be
 * brought back in sync.
 *
 * A base class rather than a core each feed holds: the public members every feed has
 * (`status`, `epoch`, `staleMs()`, `on()`, `close()`…) are then written once too, instead of
 * forwarded by hand from each feed.
 */
import { assertNever } from "../protocol/assert-never.ts";
import type { ClientMessage, RetryMessage } from "../protocol/live-messages.ts";
import { shouldReconnect } from "../protocol/live-wire.ts";
import { CLIENT_GAVE_UP, Connection, type FrameReading } from "./connection.ts";
import { judgePatch } from "./continuity.ts";
import { type BackoffOptions, DEFAULT_BACKOFF, fullJitterDelay } from "./full-jitter-delay.ts";
import { Listeners } from "./listeners.ts";
import type { StreamPosition } from "./live-url.ts";
import { OneShotTimer } from "./one-shot-timer.ts";
import { ServerClosedError } from "./server-closed-error.ts";
import type { FeedOptions, SubscriptionStatus } from "./subscription.ts";
import { resolveWebSocket, type WebSocketConstructorLike } from "./websocket-like.ts";

/** A plain ping every 15 s: the room closes a socket it has not heard from for 60 s (ROOM_SILENT_AFTER_MS), four beats. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 12_000;

/** The close code for `close()`: a normal, final close. */
const CLIENT_CLOSED = 1000;

/** Frames every feed carries besides its own, and handles here: the retry hint, the heartbeat's answer. */
export type ControlMessage = RetryMessage | { type: "pong" };

function isControl(message: { type: string }): message is ControlMessage {
  return message.type === "retry" || message.type === "pong";
}

/** The events every feed emits; a feed may add its own (the match feed's `presence`). */
export interface FeedEvents {
  update: unknown;
  status: SubscriptionStatus;
  error: Error;
}

/** How a feed's frames travel: the subprotocols it offers and how its frames are read. */
export interface FeedWire<M> {
  /** Who sent a frame that did not parse, for the error: "server", "ticker". */
  source: string;
  protocols: string[];
  parse(frame: string): FrameReading<M | ControlMessage>;
}

/**
 * One feed's subscription, across connections. `M` is the feed's own messages, `E` its events.
 * A feed sets its fields, then the resume point it starts from, then calls {@link start}.
 */
export abstract class FeedSubscription<M extends { type: string }, E extends FeedEvents> {
  readonly #wire: FeedWire<M>;
  readonly #WebSocket: WebSocketConstructorLike;
  readonly #heartbeatIntervalMs: number;
  readonly #heartbeatTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #listeners = new Listeners<E>();

  // What outlives connections.
  /** The resume point: the seq (the ticker's version) and epoch of what the feed holds. */
  protected heldSeq: number | null = null;
  protected heldEpoch: string | null = null;
  #status: SubscriptionStatus = "connecting";
  #lastMessageAt: number | null = null;
  #lastUpdateAt: number | null = null;
  /** Reconnection attempts since the last connection that stayed healthy. */
  #attempt = 0;
  readonly #reconnectTimer = new OneShotTimer();

  // What belongs to the current connection, reset by #connect.
  #connection: Connection<M | ControlMessage> | null = null;
  /** Waiting for the first state, or for an ask to be answered: live changes are ignored. */
  protected syncing = true;
  /** What was asked for on this connection and not answered yet, so it is not asked twice. */
  protected asked: ClientMessage | null = null;
  /** When this connection first got in sync; null until then. */
  #syncedAt: number | null = null;
  /** The server's `retry` hint, honoured by the reconnect that follows its close. */
  #retryAfterMs: number | null = null;
  readonly #syncDeadline = new OneShotTimer();

  /** Reads the options every feed shares. Throws when no WebSocket is available. */
  constructor(options: FeedOptions, wire: FeedWire<M>) {
    this.#wire = wire;
    this.#WebSocket = resolveWebSocket(options.WebSocket);
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#backoff = {
      baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
      maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
    };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** The feed's URL, resuming from `position` when there is one. May throw on bad options. */
  protected abstract url(position: StreamPosition | null): string;

  /** One of the feed's own messages, parsed. */
  protected abstract handle(message: M): void;

  /** Asks to be brought back in sync (a gap, a bad frame), normally through {@link ask}. */
  protected abstract resync(): void;

  /** A new connection begins: reset what the feed keeps per connection. */
  protected onConnect(): void {}

  /** A heartbeat went out on the open connection. */
  protected onBeat(): void {}

  get epoch(): string | null {
    return this.heldEpoch;
  }

  get status(): SubscriptionStatus {
    return this.#status;
  }

  get lastMessageAt(): number | null {
    return this.#lastMessageAt;
  }

  get lastUpdateAt(): number | null {
    return this.#lastUpdateAt;
  }

  staleMs(): number {
    return this.#lastMessageAt === null ? Number.POSITIVE_INFINITY : this.#now() - this.#lastMessageAt;
  }

  on<K extends keyof E>(event: K, fn: (payload: E[K]) => void): () => void {
    return this.#listeners.on(event, fn);
  }

  close(): void {
    if (this.#closed) return;
    this.#connection?.close(CLIENT_CLOSED, "client closed");
    this.#finish(null);
  }

  /** Checks the URL, throwing to the caller rather than on some later reconnect, and connects. */
  protected start(): void {
    this.url(null);
    this.#connect();
  }

  /** Sends one message if a connection is open. */
  protected send(message: ClientMessage): void {
    this.#connection?.send(message);
  }

  /** Asks over the open socket for what was missed; reconnects if no answer comes in time. */
  protected ask(message: ClientMessage): void {
    this.syncing = true;
    this.asked = message;
    this.send(message);
    this.#armSyncDeadline("resync timed out");
    if (this.#status === "open") this.#setStatus("resyncing");
  }

  /** The feed holds the server's state again: live changes apply from here. */
  protected synced(): void {
    this.syncing = false;
    this.asked = null;
    this.#syncDeadline.cancel();
    this.#syncedAt ??= this.#now();
    this.#setStatus("open");
  }

  /**
   * Whether a change (`prev` → `seq`) applies on top of the held seq. While an ask is being
   * answered, live changes race the replay and the replay is authoritative; a duplicate is
   * dropped; a gap asks to resync.
   */
  protected continues(change: { seq: number; prev: number; resumed?: true | undefined }): boolean {
    if (this.syncing && !change.resumed) return false;
    const verdict = judgePatch(this.heldSeq, change);
    switch (verdict) {
      case "apply":
        return true;
      case "gap":
        this.resync();
        return false;
      case "unanchored":
      case "duplicate":
        return false;
      default:
        return assertNever(verdict);
    }
  }

  /** Closes the current connection as given up on (4000) and reconnects. */
  protected giveUp(reason: string): void {
    this.#connection?.close(CLIENT_GAVE_UP, reason);
    this.#reconnect();
  }

  /** Emits an update, noting when. */
  protected publish(update: E["update"]): void {
    this.#lastUpdateAt = this.#now();
    this.emit("update", update);
  }

  protected report(error: Error): void {
    this.emit("error", error);
  }

  protected emit<K extends keyof E>(event: K, payload: E[K]): void {
    this.#listeners.emit(event, payload);
  }

  #connect(): void {
    if (this.#closed) return;
    this.syncing = true;
    this.asked = null;
    this.#syncedAt = null;
    this.#retryAfterMs = null;
    this.onConnect();
    const position =
      this.heldSeq !== null && this.heldEpoch !== null ? { seq: this.heldSeq, epoch: this.heldEpoch } : null;
    try {
      this.#connection = new Connection<M | ControlMessage>(
        {
          WebSocket: this.#WebSocket,
          url: this.url(position),
          protocols: this.#wire.protocols,
          heartbeatIntervalMs: this.#heartbeatIntervalMs,
          heartbeatTimeoutMs: this.#heartbeatTimeoutMs,
          onFrame: () => {
            this.#lastMessageAt = this.#now();
          },
          parse: this.#wire.parse,
        },
        {
          onOpen: () => this.#armSyncDeadline("no snapshot after connecting"),
          onMessage: (message) => this.#receive(message),
          onInvalidFrame: (reason) => {
            this.report(new Error(`invalid frame from the ${this.#wire.source}: ${reason}`));
            this.resync();
          },
          onBeat: () => this.onBeat(),
          onSilence: () => this.#reconnect(),
          onClose: (code, reason) => {
            if (shouldReconnect(code)) this.#reconnect();
            else this.#finish(new ServerClosedError(code, reason));
          },
        },
      );
    } catch (error) {
      // The options were checked up front, so this is the platform refusing for good.
      this.#finish(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #receive(message: M | ControlMessage): void {
    if (!isControl(message)) this.handle(message);
    else if (message.type === "retry") this.#retryAfterMs = message.afterMs;
    // A pong: its arrival already fed the watchdog.
  }

  #armSyncDeadline(reason: string): void {
    // Not re-armed by a second ask: a stream that keeps gapping still gets its reconnect.
    if (this.#closed || !this.syncing || this.#syncDeadline.pending) return;
    this.#syncDeadline.schedule(this.#heartbeatTimeoutMs, () => this.giveUp(reason));
  }

  /**
   * Waits, then connects again from the held position. The wait is the server's `retry`
   * hint if it gave one, otherwise full jitter: never a fixed zero, so a million viewers
   * dropped at once come back spread over the window instead of in the same second.
   */
  #reconnect(): void {
    if (this.#closed) return;
    this.#connection = null;
    this.#syncDeadline.cancel();
    // A connection that stayed in sync for a while proves the server healthy; one that was
    // dropped soon after its first state (a crash loop) does not, and the backoff keeps growing.
    if (this.#syncedAt !== null && this.#now() - this.#syncedAt >= this.#heartbeatTimeoutMs)
      this.#attempt = 0;
    const delay = this.#retryAfterMs ?? fullJitterDelay(this.#attempt, this.#backoff, this.#random);
    this.#attempt += 1;
    this.#reconnectTimer.schedule(delay, () => this.#connect());
    this.#setStatus("reconnecting");
  }

  /** Closed is final: a listener may have called `close()` in the middle of a step. */
  get #closed(): boolean {
    return this.#status === "closed";
  }

  #setStatus(status: SubscriptionStatus): void {
    if (this.#status === status || this.#closed) return;
    this.#status = status;
    this.emit("status", status);
  }

  #finish(error: Error | null): void {
    if (this.#closed) return;
    this.#connection = null;
    this.#syncDeadline.cancel();
    this.#reconnectTimer.cancel();
    this.#setStatus("closed");
    if (error) this.report(error);
  }
}
