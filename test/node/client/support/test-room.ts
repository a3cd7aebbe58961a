/**
 * A protocol-speaking room on loopback, for the faults the real edge will not produce on
 * demand: gaps, silence, drops, retry hints. It keeps a canonical state and a patch log, greets
 * a connection with a snapshot or (when `since`/`epoch` allow) a resumed replay, answers
 * `resume` and the exact heartbeat ping, and closes with 1008 on any frame the real room would
 * refuse (checked with the same `parseClientMessage`). It closes itself after `lifetimeMs`.
 */
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import jsonPatch from "fast-json-patch";
import { type WebSocket, WebSocketServer } from "ws";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  type PatchMessage,
  type PatchOperation,
  parseClientMessage,
  type ServerMessage,
} from "../../../../protocol/live-messages.ts";

/** One accepted connection, as the room saw it. */
export interface RoomConnection {
  /** `performance.now()` when the upgrade arrived. */
  at: number;
  url: URL;
  protocols: string[];
  /** Every text frame the client sent, raw. */
  frames: string[];
  /** When the socket closed, and with which code; null while open. */
  closed: { code: number; at: number } | null;
  socket: WebSocket;
  send(message: ServerMessage | Record<string, unknown>): void;
}

/** `protocol`: speak the protocol. `silent`: accept, then never send a frame. */
export type RoomBehaviour = "protocol" | "silent";

export interface TestRoomOptions {
  matchId: string;
  epoch?: string;
  state?: unknown;
  behaviour?: RoomBehaviour;
  lifetimeMs?: number;
}

export class TestRoom {
  readonly matchId: string;
  readonly epoch: string;
  readonly baseUrl: string;
  readonly connections: RoomConnection[] = [];
  /** Client frames the real room would have refused with 1008. */
  readonly violations: string[] = [];
  behaviour: RoomBehaviour;
  state: unknown;
  seq = 0;
  readonly #log: PatchMessage[] = [];
  readonly #server: WebSocketServer;
  readonly #lifetime: ReturnType<typeof setTimeout>;

  private constructor(server: WebSocketServer, options: TestRoomOptions) {
    this.#server = server;
    this.matchId = options.matchId;
    this.epoch = options.epoch ?? "epoch-1";
    this.state = options.state ?? { runs: 0, wickets: 0, balls: [] };
    this.behaviour = options.behaviour ?? "protocol";
    const address = server.address();
    if (typeof address === "string" || address === null) throw new Error("expected a TCP address");
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    server.on("connection", (socket, request) => this.#accept(socket, request.url ?? "/"));
    this.#lifetime = setTimeout(() => void this.close(), options.lifetimeMs ?? 10_000);
    this.#lifetime.unref();
  }

  /** Listens on 127.0.0.1, on a port of the system's choosing. */
  static async start(options: TestRoomOptions): Promise<TestRoom> {
    const server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      // Agree to crease.v1 as the real room does; the token subprotocol is only read.
      handleProtocols: (protocols) => (protocols.has("crease.v1") ? "crease.v1" : false),
    });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    return new TestRoom(server, options);
  }

  /** The `index`-th connection accepted; throws if there was none. */
  connection(index: number): RoomConnection {
    const connection = this.connections[index];
    if (!connection) throw new Error(`connection ${index} never arrived (${this.connections.length} did)`);
    return connection;
  }

  /** Connections whose socket is still open. */
  get open(): RoomConnection[] {
    return this.connections.filter((c) => c.closed === null);
  }

  /**
   * Appends a version to the log and, unless `deliver` says otherwise, sends it to every
   * open connection. Returns the patch as logged.
   */
  publish(ops: PatchOperation[], deliver: (c: RoomConnection) => boolean = () => true): PatchMessage {
    this.state = jsonPatch.applyPatch(this.state, ops, true, false).newDocument;
    const patch: PatchMessage = {
      type: "patch",
      matchId: this.matchId,
      seq: this.seq + 1,
      prev: this.seq,
      ops,
    };
    this.seq = patch.seq;
    this.#log.push(patch);
    for (const c of this.open) if (deliver(c)) c.send(patch);
    return patch;
  }

  /** Sends one message to every open connection. */
  broadcast(message: ServerMessage | Record<string, unknown>): void {
    for (const c of this.open) c.send(message);
  }

  /** Closes every open connection from the server side at once. */
  dropAll(code: number = CLOSE_CODES.goingAway, reason = "restarting"): void {
    for (const c of this.open) c.socket.close(code, reason);
  }

  /** Frames of one kind (`resume`, `ping`) a connection sent, parsed. */
  static sent(connection: RoomConnection, type: string): Array<Record<string, unknown>> {
    return connection.frames
      .map((frame) => parseClientMessage(frame))
      .flatMap((parsed) => (parsed.ok && parsed.message.type === type ? [parsed.message] : []));
  }

  async close(): Promise<void> {
    clearTimeout(this.#lifetime);
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: WebSocket, path: string): void {
    const header = socket.protocol;
    const connection: RoomConnection = {
      at: performance.now(),
      url: new URL(path, this.baseUrl),
      protocols: header ? [header] : [],
      frames: [],
      closed: null,
      socket,
      send: (message) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      },
    };
    this.connections.push(connection);
    socket.on("close", (code) => {
      connection.closed = { code, at: performance.now() };
    });
    socket.on("message", (data, isBinary) => this.#receive(connection, isBinary ? null : data.toString()));
    if (this.behaviour === "silent") return;
    const since = connection.url.searchParams.get("since");
    const epoch = connection.url.searchParams.get("epoch");
    if (since !== null && epoch !== null) this.#resume(connection, Number(since), epoch);
    else this.#snapshot(connection);
  }

  #receive(connection: RoomConnection, frame: string | null): void {
    if (frame === null) {
      this.violations.push("<binary>");
      connection.socket.close(CLOSE_CODES.policyViolation, "binary");
      return;
    }
    connection.frames.push(frame);
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) {
      this.violations.push(frame);
      connection.socket.close(CLOSE_CODES.policyViolation, parsed.reason);
      return;
    }
    if (this.behaviour === "silent") return;
    if (frame === HEARTBEAT_PING) connection.socket.send(HEARTBEAT_PONG);
    if (parsed.message.type === "resume") {
      this.#resume(connection, parsed.message.since, parsed.message.epoch);
    }
  }

  /** Replays what `since` missed if the log still holds it, else falls back to a snapshot. */
  #resume(connection: RoomConnection, since: number, epoch: string): void {
    if (epoch !== this.epoch || since > this.seq) {
      this.#snapshot(connection);
      return;
    }
    for (const patch of this.#log.filter((p) => p.prev >= since))
      connection.send({ ...patch, resumed: true });
    connection.send({
      type: "presence",
      matchId: this.matchId,
      seq: this.seq,
      viewers: this.open.length,
      resumed: true,
    });
  }

  /** As the real room: one gzipped binary frame for a connection that asked `snapshot=gzip`. */
  #snapshot(connection: RoomConnection): void {
    const snapshot = {
      type: "snapshot",
      matchId: this.matchId,
      epoch: this.epoch,
      seq: this.seq,
      state: this.state,
    };
    if (connection.url.searchParams.get("snapshot") !== "gzip") connection.send(snapshot);
    else if (connection.socket.readyState === connection.socket.OPEN)
      connection.socket.send(gzipSync(JSON.stringify(snapshot)), { binary: true });
  }
}
