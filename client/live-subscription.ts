import { assertNever } from "../protocol/assert-never.ts";
import type {
  DeltaMessage,
  PatchMessage,
  PresenceMessage,
  ServerMessage,
  SnapshotMessage,
} from "../protocol/live-messages.ts";
import { parseServerMessage, shouldReconnect } from "../protocol/live-wire.ts";
import { applyStateDelta, type LiveFormat, stateText } from "../protocol/state-delta.ts";
import { AckPolicy } from "./ack-policy.ts";
import { applyPatch } from "./apply-patch.ts";
import { CLIENT_GAVE_UP, Connection } from "./connection.ts";
import { judgePatch, presenceShowsGap } from "./continuity.ts";
import { type BackoffOptions, DEFAULT_BACKOFF, fullJitterDelay } from "./full-jitter-delay.ts";
import { Listeners } from "./listeners.ts";
import { canGunzip, liveSubprotocols, liveUrl } from "./live-url.ts";
import { OneShotTimer } from "./one-shot-timer.ts";
import { ServerClosedError } from "./server-closed-error.ts";
import type {
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionStatus,
} from "./subscription.ts";
import { resolveWebSocket, type WebSocketConstructorLike } from "./websocket-like.ts";

/** A plain ping every 15 s: the room closes a socket it has not heard from for 60 s (ROOM_SILENT_AFTER_MS), four beats. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 12_000;

/** The close code for `close()`: a normal, final close. */
const CLIENT_CLOSED = 1000;

/**
 * The stream logic of one subscription: which versions to apply, when to resync, when and
 * how soon to reconnect. Sockets are {@link Connection}s, replaced on every reconnect; the
 * held state, seq and epoch outlive them, which is what lets a reconnect resume.
 */
export class LiveSubscription<S> implements Subscription<S> {
  readonly #matchId: string;
  readonly #baseUrl: string;
  readonly #region: string | undefined;
  readonly #format: LiveFormat;
  /** The canonical text of the held state, kept for fossil deltas (computed when first needed). */
  #stateText: string | null = null;
  readonly #protocols: string[];
  readonly #WebSocket: WebSocketConstructorLike;
  readonly #heartbeatIntervalMs: number;
  readonly #heartbeatTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #listeners = new Listeners<SubscriptionEvents<S>>();

  // What outlives connections.
  #hasState: boolean;
  #state: unknown;
  #seq: number | null;
  #epoch: string | null;
  #status: SubscriptionStatus = "connecting";
  #viewers: number | null = null;
  #lastMessageAt: number | null = null;
  #lastUpdateAt: number | null = null;
  /** Reconnection attempts since the last connection that stayed healthy. */
  #attempt = 0;
  /** A patch that failed to apply once; failing again means resuming cannot fix it. */
  #failedPatchSeq: number | null = null;
  readonly #reconnectTimer = new OneShotTimer();

  // What belongs to the current connection, reset by #connect.
  #connection: Connection<ServerMessage> | null = null;
  #ack = new AckPolicy();
  /** Waiting for a snapshot, or for a resume to be answered: live patches are ignored. */
  #syncing = true;
  /** The seq a resume was last asked from on this connection, so it is not asked twice. */
  #resumeAskedFrom: number | null = null;
  /** When this connection first got in sync; null until then. */
  #syncedAt: number | null = null;
  /** The server's `retry` hint, honoured by the reconnect that follows its close. */
  #retryAfterMs: number | null = null;
  readonly #syncDeadline = new OneShotTimer();

  /** Validates the options (throwing on a bad URL or token) and starts connecting. */
  constructor(options: SubscribeOptions<S>) {
    this.#matchId = options.matchId;
    this.#baseUrl = options.baseUrl;
    this.#region = options.region;
    this.#format = options.format ?? "json-patch";
    this.#protocols = liveSubprotocols(options.token);
    this.#WebSocket = resolveWebSocket(options.WebSocket);
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#backoff = {
      baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
      maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
    };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#seq = options.since ?? null;
    this.#epoch = options.epoch ?? null;
    this.#hasState = options.state !== undefined && this.#seq !== null;
    this.#state = this.#hasState ? options.state : null;
    // Throws now, to the caller, rather than on some later reconnect.
    liveUrl(this.#baseUrl, this.#matchId, null, this.#region);
    this.#connect();
  }

  get state(): S | null {
    // S is the caller's claim about the server's state; the wire carries unchecked JSON.
    return this.#hasState ? (this.#state as S) : null;
  }

  get seq(): number | null {
    return this.#seq;
  }

  get epoch(): string | null {
    return this.#epoch;
  }

  get status(): SubscriptionStatus {
    return this.#status;
  }

  get viewers(): number | null {
    return this.#viewers;
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

  on<K extends keyof SubscriptionEvents<S>>(
    event: K,
    fn: (payload: SubscriptionEvents<S>[K]) => void,
  ): () => void {
    return this.#listeners.on(event, fn);
  }

  close(): void {
    if (this.#closed) return;
    this.#connection?.close(CLIENT_CLOSED, "client closed");
    this.#finish(null);
  }

  #connect(): void {
    if (this.#closed) return;
    this.#ack = new AckPolicy();
    this.#syncing = true;
    this.#resumeAskedFrom = null;
    this.#syncedAt = null;
    this.#retryAfterMs = null;
    const position =
      this.#seq !== null && this.#epoch !== null ? { seq: this.#seq, epoch: this.#epoch } : null;
    try {
      this.#connection = new Connection(
        {
          WebSocket: this.#WebSocket,
          url: liveUrl(this.#baseUrl, this.#matchId, position, this.#region, this.#format, canGunzip()),
          protocols: this.#protocols,
          heartbeatIntervalMs: this.#heartbeatIntervalMs,
          heartbeatTimeoutMs: this.#heartbeatTimeoutMs,
          onFrame: () => {
            this.#lastMessageAt = this.#now();
          },
          parse: parseServerMessage,
        },
        {
          onOpen: () => this.#armSyncDeadline("no snapshot after connecting"),
          onMessage: (message) => this.#handleMessage(message),
          onInvalidFrame: (reason) => {
            this.#report(new Error(`invalid frame from the server: ${reason}`));
            this.#resync();
          },
          onBeat: () => {
            if (this.#ack.onBeat()) this.#acknowledge();
          },
          onSilence: () => this.#reconnect(),
          onClose: (code, reason) => this.#handleClose(code, reason),
        },
      );
    } catch (error) {
      // The options were checked up front, so this is the platform refusing for good.
      this.#finish(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #handleMessage(message: ServerMessage): void {
    if ("matchId" in message && message.matchId !== this.#matchId) {
      this.#report(
        new Error(`a ${message.type} for match ${message.matchId} arrived on ${this.#matchId}'s feed`),
      );
      return;
    }
    switch (message.type) {
      case "snapshot":
        this.#handleSnapshot(message);
        break;
      case "patch":
      case "delta":
        this.#handlePatch(message);
        break;
      case "presence":
        this.#handlePresence(message);
        break;
      case "retry":
        this.#retryAfterMs = message.afterMs;
        break;
      case "pong":
        // Its arrival already fed the watchdog.
        break;
      default:
        assertNever(message);
    }
  }

  #handleSnapshot(message: SnapshotMessage): void {
    const prev = this.#seq;
    const sameVersion = this.#hasState && prev === message.seq && this.#epoch === message.epoch;
    this.#hasState = true;
    this.#state = message.state;
    this.#stateText = null;
    this.#seq = message.seq;
    this.#epoch = message.epoch;
    this.#failedPatchSeq = null;
    // A snapshot of the version already held (a resume that could not be honoured) is not news.
    if (!sameVersion) this.#publish(prev);
    this.#markSynced();
  }

  #handlePatch(message: PatchMessage | DeltaMessage): void {
    // While a resume is pending, live patches race the replay; the replay is authoritative.
    if (this.#syncing && !message.resumed) return;
    const verdict = judgePatch(this.#seq, message);
    switch (verdict) {
      case "unanchored":
      case "duplicate":
        return;
      case "gap":
        this.#resync();
        return;
      case "apply":
        this.#applyPatch(message);
        return;
      default:
        assertNever(verdict);
    }
  }

  #applyPatch(message: PatchMessage | DeltaMessage): void {
    if (!this.#hasState) {
      this.#report(new Error(`patch ${message.prev}→${message.seq} has no state to apply to: starting over`));
      this.#startOver();
      return;
    }
    let next: unknown;
    try {
      if (message.type === "patch") {
        next = applyPatch(this.#state, message.ops);
        this.#stateText = null;
      } else {
        const text = applyStateDelta(this.#stateText ?? stateText(this.#state), message.delta);
        next = JSON.parse(text);
        this.#stateText = text;
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#report(new Error(`patch ${message.prev}→${message.seq} did not apply: ${detail}`));
      if (this.#failedPatchSeq === message.seq) {
        // The same patch, replayed, failed the same way: only a snapshot can help.
        this.#startOver();
        return;
      }
      this.#failedPatchSeq = message.seq;
      this.#resync();
      return;
    }
    const prev = this.#seq;
    this.#state = next;
    this.#seq = message.seq;
    this.#failedPatchSeq = null;
    this.#publish(prev);
    if (this.#ack.onPatch()) this.#acknowledge();
  }

  #handlePresence(message: PresenceMessage): void {
    this.#viewers = message.viewers;
    this.#listeners.emit("presence", {
      viewers: message.viewers,
      seq: message.seq,
      stale: message.stale ?? false,
    });
    if (presenceShowsGap(this.#seq, message.seq)) {
      // A resume answered short of the room's newest seq may be asked again.
      if (message.resumed) this.#resumeAskedFrom = null;
      this.#resync();
      return;
    }
    if (message.resumed && this.#syncing && this.#seq !== null) this.#markSynced();
  }

  /** Asks over the open socket for what was missed; reconnects if no answer comes in time. */
  #resync(): void {
    // Nothing held to resume from: the snapshot a fresh connection starts with will do.
    if (this.#seq === null || this.#epoch === null) return;
    if (this.#syncing && this.#resumeAskedFrom === this.#seq) return;
    this.#syncing = true;
    this.#resumeAskedFrom = this.#seq;
    this.#connection?.send({ type: "resume", since: this.#seq, epoch: this.#epoch });
    this.#armSyncDeadline("resync timed out");
    if (this.#status === "open") this.#setStatus("resyncing");
  }

  #armSyncDeadline(reason: string): void {
    // Not re-armed by a second resume: a stream that keeps gapping still gets its reconnect.
    if (this.#closed || !this.#syncing || this.#syncDeadline.pending) return;
    this.#syncDeadline.schedule(this.#heartbeatTimeoutMs, () => {
      this.#connection?.close(CLIENT_GAVE_UP, reason);
      this.#reconnect();
    });
  }

  #markSynced(): void {
    this.#syncing = false;
    this.#resumeAskedFrom = null;
    this.#syncDeadline.cancel();
    this.#syncedAt ??= this.#now();
    this.#setStatus("open");
  }

  /** Forgets the held position, so the next connection starts from a snapshot. */
  #startOver(): void {
    this.#hasState = false;
    this.#state = null;
    this.#seq = null;
    this.#epoch = null;
    this.#failedPatchSeq = null;
    this.#connection?.close(CLIENT_GAVE_UP, "starting over from a snapshot");
    this.#reconnect();
  }

  #handleClose(code: number, reason: string): void {
    if (shouldReconnect(code)) this.#reconnect();
    else this.#finish(new ServerClosedError(code, reason));
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
    // dropped soon after its snapshot (a crash loop) does not, and the backoff keeps growing.
    if (this.#syncedAt !== null && this.#now() - this.#syncedAt >= this.#heartbeatTimeoutMs)
      this.#attempt = 0;
    const delay = this.#retryAfterMs ?? fullJitterDelay(this.#attempt, this.#backoff, this.#random);
    this.#attempt += 1;
    this.#reconnectTimer.schedule(delay, () => this.#connect());
    this.#setStatus("reconnecting");
  }

  #acknowledge(): void {
    if (this.#seq !== null && !this.#syncing) this.#connection?.send({ type: "ping", seq: this.#seq });
  }

  #publish(prev: number | null): void {
    if (this.#seq === null) return;
    this.#lastUpdateAt = this.#now();
    this.#listeners.emit("update", { seq: this.#seq, prev, state: this.#state as S });
  }

  #report(error: Error): void {
    this.#listeners.emit("error", error);
  }

  /** Closed is final: a listener may have called `close()` in the middle of a step. */
  get #closed(): boolean {
    return this.#status === "closed";
  }

  #setStatus(status: SubscriptionStatus): void {
    if (this.#status === status || this.#closed) return;
    this.#status = status;
    this.#listeners.emit("status", status);
  }

  #finish(error: Error | null): void {
    if (this.#closed) return;
    this.#connection = null;
    this.#syncDeadline.cancel();
    this.#reconnectTimer.cancel();
    this.#setStatus("closed");
    if (error) this.#report(error);
  }
}
