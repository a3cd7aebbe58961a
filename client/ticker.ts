/**
 * `subscribeTicker()`: every public live match's headline over one WebSocket, kept current
 * with one small update per changed match, resumed across reconnects from the ticker version
 * held, with the same statuses, heartbeat, full-jitter backoff and retry hints as
 * `subscribe()`. Every frame is checked (protocol/ticker-check.ts); a bad one is reported
 * and answered with a resync, never thrown.
 */
import { assertNever } from "../protocol/assert-never.ts";
import { CLOSE_CODES, SUBPROTOCOL, shouldReconnect } from "../protocol/live-wire.ts";
import type { Headline, HeadlineMessage, TickerServerMessage, UnlistedMessage } from "../protocol/ticker.ts";
import { readTickerFrame } from "../protocol/ticker-check.ts";
import { CLIENT_GAVE_UP, Connection } from "./connection.ts";
import { type BackoffOptions, DEFAULT_BACKOFF, fullJitterDelay } from "./full-jitter-delay.ts";
import { Listeners } from "./listeners.ts";
import { feedUrl, type StreamPosition } from "./live-url.ts";
import { OneShotTimer } from "./one-shot-timer.ts";
import { ServerClosedError } from "./server-closed-error.ts";
import type { FeedOptions, SubscriptionStatus } from "./subscription.ts";
import { resolveWebSocket, type WebSocketConstructorLike } from "./websocket-like.ts";

export type { Headline } from "../protocol/ticker.ts";

/** One applied change (or the whole list): the headlines now, and which matches changed or left. */
export interface TickerUpdate {
  headlines: Headline[];
  version: number;
  /** Match ids whose headline is new or changed; every id after a full list. */
  changed: string[];
  /** Match ids that left the ticker. */
  removed: string[];
}

export interface TickerEvents {
  update: TickerUpdate;
  status: SubscriptionStatus;
  /** Bad frames (the client resyncs after) and final closes. */
  error: Error;
}

export interface SubscribeTickerOptions extends FeedOptions {
  /** The API origin, `https://…` or `wss://…`; the ticker is at `{baseUrl}/v1/ticker/ws`. */
  baseUrl: string;
  /** Resume from this ticker version of `epoch`, holding `headlines` (as a previous subscription left them). */
  since?: number;
  epoch?: string;
  headlines?: Headline[];
  /** Pin the edge region (honoured where the deployment allows it). */
  region?: string;
}

export interface TickerSubscription {
  /** Every headline held, in the order the server listed them (new matches last). */
  readonly headlines: Headline[];
  readonly version: number | null;
  readonly epoch: string | null;
  readonly status: SubscriptionStatus;
  readonly lastMessageAt: number | null;
  readonly lastUpdateAt: number | null;
  staleMs(): number;
  on<K extends keyof TickerEvents>(event: K, fn: (payload: TickerEvents[K]) => void): () => void;
  close(): void;
}

/** Subscribes to the ticker and starts connecting at once. Throws on a malformed `baseUrl`. */
export function subscribeTicker(options: SubscribeTickerOptions): TickerSubscription {
  return new Ticker(options);
}

/** The URL of the ticker: `{baseUrl}/v1/ticker/ws`, with `since`+`epoch` when resuming. */
function tickerUrl(baseUrl: string, position: StreamPosition | null, region?: string): string {
  return feedUrl(baseUrl, "/v1/ticker/ws", position, region).toString();
}

class Ticker implements TickerSubscription {
  readonly #options: SubscribeTickerOptions;
  readonly #WebSocket: WebSocketConstructorLike;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #listeners = new Listeners<TickerEvents>();
  #held = new Map<string, Headline>();
  #version: number | null;
  #epoch: string | null;
  #status: SubscriptionStatus = "connecting";
  #lastMessageAt: number | null = null;
  #lastUpdateAt: number | null = null;
  #attempt = 0;
  readonly #reconnectTimer = new OneShotTimer();
  // The current connection's.
  #connection: Connection<TickerServerMessage> | null = null;
  #syncing = true;
  /** A resume (or subscribe) was sent on this connection and not answered yet. */
  #asked = false;
  #syncedAt: number | null = null;
  #retryAfterMs: number | null = null;
  readonly #syncDeadline = new OneShotTimer();

  constructor(options: SubscribeTickerOptions) {
    this.#options = options;
    this.#WebSocket = resolveWebSocket(options.WebSocket);
    this.#backoff = {
      baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
      maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
    };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.heartbeatIntervalMs ?? 15_000;
    this.#timeoutMs = options.heartbeatTimeoutMs ?? 12_000;
    const resumable = options.since !== undefined && options.epoch !== undefined && options.headlines;
    this.#version = resumable ? (options.since ?? null) : null;
    this.#epoch = resumable ? (options.epoch ?? null) : null;
    for (const h of (resumable && options.headlines) || []) this.#held.set(h.matchId, h);
    tickerUrl(options.baseUrl, null, options.region); // throws now, to the caller
    this.#connect();
  }

  get headlines(): Headline[] {
    return [...this.#held.values()];
  }
  get version(): number | null {
    return this.#version;
  }
  get epoch(): string | null {
    return this.#epoch;
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

  on<K extends keyof TickerEvents>(event: K, fn: (payload: TickerEvents[K]) => void): () => void {
    return this.#listeners.on(event, fn);
  }

  close(): void {
    if (this.#status === "closed") return;
    this.#drop(CLOSE_CODES.normal, "client closed");
    this.#finish(null);
  }

  #connect(): void {
    if (this.#status === "closed") return;
    this.#syncing = true;
    this.#asked = false;
    this.#syncedAt = null;
    this.#retryAfterMs = null;
    const position =
      this.#version !== null && this.#epoch !== null ? { seq: this.#version, epoch: this.#epoch } : null;
    try {
      // Heartbeats, the silence watchdog, frames read at the boundary: the match feed's connection.
      this.#connection = new Connection<TickerServerMessage>(
        {
          WebSocket: this.#WebSocket,
          url: tickerUrl(this.#options.baseUrl, position, this.#options.region),
          protocols: [SUBPROTOCOL],
          heartbeatIntervalMs: this.#intervalMs,
          heartbeatTimeoutMs: this.#timeoutMs,
          onFrame: () => {
            this.#lastMessageAt = this.#now();
          },
          parse: readTickerFrame,
        },
        {
          onOpen: () => this.#armSyncDeadline(),
          onMessage: (message) => this.#handle(message),
          onInvalidFrame: (reason) => {
            this.#report(new Error(`invalid frame from the ticker: ${reason}`));
            this.#resync();
          },
          onBeat: () => {},
          onSilence: () => {
            this.#drop(null);
            this.#reconnect();
          },
          onClose: (code, reason) => {
            this.#drop(null);
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

  #handle(m: TickerServerMessage): void {
    switch (m.type) {
      case "headlines":
        this.#held = new Map(m.headlines.map((h) => [h.matchId, h]));
        this.#epoch = m.epoch;
        this.#version = m.version;
        this.#synced();
        this.#publish(
          m.headlines.map((h) => h.matchId),
          [],
        );
        break;
      case "headline":
      case "unlisted":
        this.#change(m);
        break;
      case "resumed":
        if (m.epoch === this.#epoch && m.version === this.#version) this.#synced();
        else this.#resync(true);
        break;
      case "retry":
        this.#retryAfterMs = m.afterMs;
        break;
      case "pong":
        break; // its arrival already fed the watchdog
      default:
        assertNever(m);
    }
  }

  #change(m: HeadlineMessage | UnlistedMessage): void {
    // While a resume is pending, live changes race the replay; the replay is authoritative.
    if ((this.#syncing && !m.resumed) || this.#version === null || m.version <= this.#version) return;
    if (m.prev !== this.#version) {
      this.#resync();
      return;
    }
    this.#version = m.version;
    if (m.type === "unlisted") {
      this.#held.delete(m.matchId);
      this.#publish([], [m.matchId]);
      return;
    }
    const { type: _type, version: _version, prev: _prev, resumed: _resumed, ...headline } = m;
    this.#held.set(m.matchId, headline);
    this.#publish([m.matchId], []);
  }

  /**
   * Asks for what was missed over the open socket (a resume; the server answers with the
   * changes or every headline), once per connection until answered: each ask costs the
   * socket's frame meter 10 tokens, and the sync deadline reconnects if no answer comes.
   * `fresh`: a resume that came back short; ask for every headline.
   */
  #resync(fresh = false): void {
    if (this.#syncing && this.#asked && !fresh) return;
    const position = this.#version !== null && this.#epoch !== null && !fresh;
    this.#connection?.send(
      position && this.#version !== null && this.#epoch !== null
        ? { type: "resume", since: this.#version, epoch: this.#epoch }
        : { type: "subscribe" },
    );
    this.#asked = true;
    this.#syncing = true;
    this.#armSyncDeadline();
    if (this.#status === "open") this.#setStatus("resyncing");
  }

  #synced(): void {
    this.#syncing = false;
    this.#asked = false;
    this.#syncDeadline.cancel();
    this.#syncedAt ??= this.#now();
    this.#setStatus("open");
  }

  #armSyncDeadline(): void {
    if (this.#syncDeadline.pending) return;
    this.#syncDeadline.schedule(this.#timeoutMs, () => {
      this.#drop(CLIENT_GAVE_UP, "no ticker state in time");
      this.#reconnect();
    });
  }

  /** Lets the current connection go, with the sync deadline; closes it with `code` when given. */
  #drop(code: number | null, reason = ""): void {
    const connection = this.#connection;
    this.#connection = null;
    this.#syncDeadline.cancel();
    if (connection && code !== null) connection.close(code, reason);
  }

  /** Waits (the server's hint, else full jitter), then connects again from the held version. */
  #reconnect(): void {
    if (this.#status === "closed") return;
    if (this.#syncedAt !== null && this.#now() - this.#syncedAt >= this.#timeoutMs) this.#attempt = 0;
    const delay = this.#retryAfterMs ?? fullJitterDelay(this.#attempt, this.#backoff, this.#random);
    this.#attempt += 1;
    this.#reconnectTimer.schedule(delay, () => this.#connect());
    this.#setStatus("reconnecting");
  }

  #publish(changed: string[], removed: string[]): void {
    this.#lastUpdateAt = this.#now();
    this.#listeners.emit("update", {
      headlines: this.headlines,
      version: this.#version ?? 0,
      changed,
      removed,
    });
  }

  #report(error: Error): void {
    this.#listeners.emit("error", error);
  }

  #setStatus(status: SubscriptionStatus): void {
    if (this.#status === status || this.#status === "closed") return;
    this.#status = status;
    this.#listeners.emit("status", status);
  }

  #finish(error: Error | null): void {
    if (this.#status === "closed") return;
    this.#drop(null);
    this.#reconnectTimer.cancel();
    this.#setStatus("closed");
    if (error) this.#report(error);
  }
}
