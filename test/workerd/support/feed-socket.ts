import { worker } from "./ingest.ts";

/** A server frame as its feed's own schema parsed it, read field by field by the tests. */
export type Frame = { type: string } & Record<string, unknown>;

/** A stream position, as every feed holds one: `{epoch, seq}` (the ticker's wire calls seq `version`). */
export interface Position {
  epoch: string;
  seq: number;
}

/** How a test reads one feed's frames. */
export interface FeedWire {
  parse(text: string): { ok: true; message: Frame } | { ok: false; reason: string };
  /** Where a frame moves its viewer: a whole state (or a resume's end) names its epoch, a change its `prev`. */
  positionOf(frame: Frame): { seq: number; epoch?: string; prev?: number } | null;
}

/**
 * A bare socket on any feed (the match feed, the ticker): records every frame, parsed by the
 * feed's schema, and follows the viewer's position strictly (a change must continue the seq
 * held), so a test can assert continuity on any feed without knowing its state's shape.
 */
export class FeedSocket {
  private static open = new Set<FeedSocket>();

  /** Closes every socket the test opened and waits until each close has completed. */
  static async closeAll(timeoutMs = 10_000): Promise<void> {
    const sockets = [...FeedSocket.open];
    FeedSocket.open.clear();
    for (const s of sockets) if (s.closed === null) s.socket?.close(1000, "done");
    await Promise.all(sockets.map((s) => s.waitFor(() => s.closed !== null, "close", timeoutMs)));
  }

  readonly frames: Frame[] = [];
  position: Position | null = null;
  closed: { code: number; reason: string } | null = null;
  errors: string[] = [];
  private socket: WebSocket | null = null;

  private constructor(private readonly wire: FeedWire) {}

  /** Opens a socket; `held` is the position a resuming viewer already has. */
  static async connect(
    wire: FeedWire,
    path: string,
    opts: { headers?: Record<string, string>; protocols?: string; held?: Position } = {},
  ): Promise<FeedSocket> {
    const res = await worker(path, {
      headers: {
        ...opts.headers,
        upgrade: "websocket",
        "sec-websocket-protocol": opts.protocols ?? "crease.v1",
      },
    });
    const socket = res.webSocket;
    if (!socket) throw new Error(`no WebSocket from ${path}: ${res.status} ${await res.text()}`);
    socket.accept();
    const viewer = new FeedSocket(wire);
    viewer.socket = socket;
    viewer.position = opts.held ?? null;
    FeedSocket.open.add(viewer);
    socket.addEventListener("message", (event) => viewer.onFrame(String(event.data)));
    socket.addEventListener("close", (event) => {
      viewer.closed = { code: event.code, reason: event.reason };
    });
    return viewer;
  }

  /** Starts the closing handshake; `closed` is set when the room has answered it. */
  close(): void {
    if (this.closed === null) this.socket?.close(1000, "done");
  }

  send(frame: unknown): void {
    this.socket?.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  private onFrame(text: string): void {
    const parsed = this.wire.parse(text);
    if (!parsed.ok) return void this.errors.push(parsed.reason);
    this.frames.push(parsed.message);
    const moved = this.wire.positionOf(parsed.message);
    if (!moved) return;
    if (moved.epoch !== undefined) this.position = { epoch: moved.epoch, seq: moved.seq };
    else if (this.position === null || moved.prev !== this.position.seq)
      this.errors.push(`${parsed.message.type} ${moved.prev}->${moved.seq} on top of ${this.position?.seq}`);
    else this.position = { ...this.position, seq: moved.seq };
  }

  /** Waits (bounded) until the viewer holds a position past `seq`. */
  async waitPast(seq: number, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => (this.position?.seq ?? -1) > seq, `a position past ${seq}`, timeoutMs);
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; errors: ${this.errors.join("; ")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
