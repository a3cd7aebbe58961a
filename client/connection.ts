import type { ClientMessage } from "../protocol/live-messages.ts";
import { HEARTBEAT_PING } from "../protocol/live-wire.ts";
import { OneShotTimer } from "./one-shot-timer.ts";
import {
  closeQuietly,
  READY_STATE_OPEN,
  type WebSocketConstructorLike,
  type WebSocketLike,
} from "./websocket-like.ts";

/** The close code this client uses when it gives up on a connection that went quiet or stuck. */
export const CLIENT_GAVE_UP = 4000;

/** What a connection reports. None of these fire after {@link Connection.close}. */
export interface ConnectionEvents<M> {
  /** The handshake completed. */
  onOpen(): void;
  /** A frame that parsed as a server message. */
  onMessage(message: M): void;
  /** A frame that did not. */
  onInvalidFrame(reason: string): void;
  /** A heartbeat went out; the subscription may add an acknowledgement. */
  onBeat(): void;
  /** Nothing arrived for the silence timeout: the connection has closed itself. */
  onSilence(): void;
  /** The socket closed (by the server, the network, or a failed handshake). */
  onClose(code: number, reason: string): void;
}

/** A frame read at the boundary: the message, or why it is not one. */
export type FrameReading<M> = { ok: true; message: M } | { ok: false; reason: string };

export interface ConnectionOptions<M> {
  WebSocket: WebSocketConstructorLike;
  url: string;
  protocols: string[];
  heartbeatIntervalMs: number;
  /** No frame of any kind for this long (handshake included) means the connection is dead. */
  heartbeatTimeoutMs: number;
  /** Called with every raw frame's arrival, before parsing: any frame is a sign of life. */
  onFrame(): void;
  /** Reads one text frame: the match feed's or the ticker's messages. */
  parse(frame: string): FrameReading<M>;
}

/**
 * One WebSocket's life: the handshake, frames parsed at the boundary, heartbeats out and a
 * silence watchdog in. Reconnection is not its business: once closed it is discarded.
 */
export class Connection<M> {
  readonly #socket: WebSocketLike;
  readonly #options: ConnectionOptions<M>;
  readonly #events: ConnectionEvents<M>;
  readonly #watchdog = new OneShotTimer();
  #pinger: ReturnType<typeof setInterval> | undefined;
  #done = false;
  /** Frames wait here behind a binary snapshot being decompressed, so none overtakes it. */
  #inbox: Promise<void> | null = null;

  /** Opens the socket. Throws if the constructor refuses the URL or subprotocols. */
  constructor(options: ConnectionOptions<M>, events: ConnectionEvents<M>) {
    this.#options = options;
    this.#events = events;
    this.#socket = new options.WebSocket(options.url, options.protocols);
    // Gzipped snapshots (`?snapshot=gzip`) arrive as binary frames: as bytes, not a Blob.
    if ("binaryType" in this.#socket) this.#socket.binaryType = "arraybuffer";
    this.#armWatchdog();
    this.#socket.addEventListener("open", () => this.#handleOpen());
    this.#socket.addEventListener("message", (event) => this.#handleFrame(event.data));
    this.#socket.addEventListener("close", (event) => this.#handleClose(event.code, event.reason));
    // Without a listener, `ws` throws error events; the close event that follows tells us enough.
    this.#socket.addEventListener("error", () => {});
  }

  /** Sends one client message if the socket is open; a message for a closed socket is moot. */
  send(message: ClientMessage): void {
    if (this.#done || this.#socket.readyState !== READY_STATE_OPEN) return;
    // The plain ping goes byte for byte as the room's auto-response expects it.
    const isPlainPing = message.type === "ping" && message.seq === undefined;
    this.#socket.send(isPlainPing ? HEARTBEAT_PING : JSON.stringify(message));
  }

  /** Closes from this side. Final and silent: no event fires after it. */
  close(code: number, reason: string): void {
    if (this.#done) return;
    this.#finish();
    closeQuietly(this.#socket, code, reason);
  }

  #handleOpen(): void {
    if (this.#done) return;
    this.#armWatchdog();
    this.#pinger = setInterval(() => this.#beat(), this.#options.heartbeatIntervalMs);
    this.#events.onOpen();
  }

  #beat(): void {
    this.send({ type: "ping" });
    this.#events.onBeat();
  }

  #handleFrame(data: unknown): void {
    if (this.#done) return;
    this.#armWatchdog();
    this.#options.onFrame();
    if (typeof data === "string" && this.#inbox === null) {
      this.#deliver(data);
      return;
    }
    const text = typeof data === "string" ? data : gunzipText(data);
    const queued = (this.#inbox ?? Promise.resolve())
      .then(() => text)
      .then(
        (frame) => this.#deliver(frame),
        (error: unknown) => {
          if (!this.#done) this.#events.onInvalidFrame(`a binary frame did not decompress: ${String(error)}`);
        },
      );
    this.#inbox = queued;
    queued.then(() => {
      if (this.#inbox === queued) this.#inbox = null;
    });
  }

  #deliver(frame: string): void {
    if (this.#done) return;
    const parsed = this.#options.parse(frame);
    if (parsed.ok) this.#events.onMessage(parsed.message);
    else this.#events.onInvalidFrame(parsed.reason);
  }

  #handleClose(code: number, reason: string): void {
    if (this.#done) return;
    this.#finish();
    this.#events.onClose(code, reason);
  }

  #armWatchdog(): void {
    this.#watchdog.schedule(this.#options.heartbeatTimeoutMs, () => {
      this.close(CLIENT_GAVE_UP, "heartbeat timeout");
      this.#events.onSilence();
    });
  }

  #finish(): void {
    this.#done = true;
    this.#watchdog.cancel();
    if (this.#pinger !== undefined) clearInterval(this.#pinger);
    this.#pinger = undefined;
  }
}

/** A binary frame is a gzipped text frame (the only binary the protocol sends). */
async function gunzipText(data: unknown): Promise<string> {
  const bytes =
    data instanceof ArrayBuffer || ArrayBuffer.isView(data)
      ? new Blob([data as ArrayBuffer | ArrayBufferView<ArrayBuffer>])
      : data instanceof Blob
        ? data
        : null;
  if (!bytes) throw new TypeError("not a binary frame");
  return new Response(bytes.stream().pipeThrough(new DecompressionStream("gzip"))).text();
}
