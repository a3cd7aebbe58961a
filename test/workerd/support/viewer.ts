import jsonPatch, { type Operation } from "fast-json-patch";
import type { ServerMessage } from "../../../protocol/live-messages.ts";
import { parseServerMessage } from "../../../protocol/live-wire.ts";
import { applyStateDelta, stateText } from "../../../protocol/state-delta.ts";
import { appliedEveryVersion } from "../../support/version-chain.ts";
import { worker } from "./ingest.ts";

/**
 * A bare-bones viewer over a real WebSocket into the Worker: it records every frame and
 * applies patches strictly (prev must match), so a test can assert continuity, not just the
 * final state. (The real client library is tested separately; this one hides nothing.)
 */
export class TestViewer {
  private static open = new Set<TestViewer>();

  /**
   * Closes every viewer a test opened and waits until each close has completed (the room has
   * seen it), so no room is still answering a socket when the next test or the file's teardown
   * begins.
   */
  static async closeAll(timeoutMs = 10_000): Promise<void> {
    const viewers = [...TestViewer.open];
    TestViewer.open.clear();
    for (const viewer of viewers) viewer.close();
    await Promise.all(viewers.map((v) => v.waitFor(() => v.closed !== null, "close", timeoutMs)));
  }

  readonly frames: ServerMessage[] = [];
  state: unknown = null;
  seq: number | null = null;
  epoch: string | null = null;
  closed: { code: number; reason: string } | null = null;
  errors: string[] = [];
  private socket: WebSocket | null = null;
  private closing = false;

  /** Opens a socket; `held` is what a resuming viewer already has (the state at `seq` of `epoch`). */
  static async connect(
    path: string,
    opts: {
      protocols?: string;
      held?: { state: unknown; seq: number; epoch: string | null };
      /** Extra request headers (a hostile client's). */
      headers?: Record<string, string>;
    } = {},
  ): Promise<TestViewer> {
    const protocols = opts.protocols ?? "crease.v1";
    const viewer = new TestViewer();
    if (opts.held) Object.assign(viewer, opts.held);
    const res = await worker(path, {
      headers: { ...opts.headers, upgrade: "websocket", "sec-websocket-protocol": protocols },
    });
    const socket = res.webSocket;
    if (!socket) throw new Error(`no WebSocket from ${path}: ${res.status} ${await res.text()}`);
    socket.accept();
    viewer.socket = socket;
    TestViewer.open.add(viewer);
    socket.addEventListener("message", (event) => viewer.onFrame(String(event.data)));
    socket.addEventListener("close", (event) => {
      viewer.closed = { code: event.code, reason: event.reason };
    });
    return viewer;
  }

  send(frame: string): void {
    this.socket?.send(frame);
  }

  /** Starts the closing handshake once; `closed` is set when the room has answered it. */
  close(): void {
    if (this.closing || this.closed !== null) return;
    this.closing = true;
    this.socket?.close(1000, "done");
  }

  private onFrame(frame: string): void {
    const parsed = parseServerMessage(frame);
    if (!parsed.ok) {
      this.errors.push(parsed.reason);
      return;
    }
    const message = parsed.message;
    this.frames.push(message);
    if (message.type === "snapshot") {
      this.state = message.state;
      this.seq = message.seq;
      this.epoch = message.epoch;
    } else if (message.type === "patch" || message.type === "delta") {
      if (this.seq === null || message.prev !== this.seq) {
        this.errors.push(`${message.type} ${message.prev}->${message.seq} on top of ${this.seq}`);
        return;
      }
      this.state =
        message.type === "patch"
          ? jsonPatch.applyPatch(this.state, message.ops as Operation[], false, false).newDocument
          : JSON.parse(applyStateDelta(stateText(this.state), message.delta));
      this.seq = message.seq;
    }
  }

  /** Waits (bounded) until the viewer holds `seq`. */
  async waitForSeq(seq: number, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => this.seq === seq, `seq ${seq} (holding ${this.seq})`, timeoutMs);
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; errors: ${this.errors.join("; ")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Whether this viewer applied every one of `versions` in order, from the first: each frame
   * continues the one before, one version or a run the room coalesced (test/support/version-chain.ts).
   * A viewer that came back holding a version starts from that one.
   */
  appliedEvery(versions: number[], heldSeq?: number): boolean {
    const steps = this.steps();
    return appliedEveryVersion(heldSeq === undefined ? steps : [[null, heldSeq], ...steps], versions);
  }

  /** Each version frame as [prev, seq] (a snapshot's prev is null). */
  steps(): [number | null, number][] {
    return this.frames.flatMap((f): [number | null, number][] =>
      f.type === "snapshot"
        ? [[null, f.seq]]
        : f.type === "patch" || f.type === "delta"
          ? [[f.prev, f.seq]]
          : [],
    );
  }

  /** The seqs of the versions this viewer applied, in order (snapshot seqs included). */
  versions(): number[] {
    return this.frames.flatMap((f) =>
      f.type === "snapshot" || f.type === "patch" || f.type === "delta" ? [f.seq] : [],
    );
  }
}
