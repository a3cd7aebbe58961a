/**
 * A child process holding a share of the subscribers. The parent (bench/run.ts) forks a few of
 * these so no single process runs out of file descriptors or CPU while timing arrivals.
 *
 * It timestamps every `patch` frame on arrival (CLOCK_MONOTONIC, shared across processes), checks
 * that every socket received exactly the expected seqs in order with an unbroken `prev` chain,
 * and sends the arrival times back. It exits when its parent goes away.
 *
 * With BENCH_TRACE_JOIN=1 in the environment it also times each raw join's two halves as a
 * client sees them: from opening the socket to the server's 101 (the Worker's front door and
 * the room accepting), and from the 101 to the first frame (the room's snapshot or hello).
 */
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { nowMs } from "./workload.ts";

export type ClientKind = "raw" | "socketio";

export type ToChild =
  | {
      cmd: "connect";
      client: ClientKind;
      url: string;
      protocols: string[];
      count: number;
      concurrency: number;
      /** A frame each socket sends every 15 s, as a real client's heartbeat (Crease closes silent sockets). */
      heartbeat?: string;
    }
  | { cmd: "collect"; initialSeq: number; expected: number[]; timeoutMs: number }
  | { cmd: "close" };

export type FromChild =
  | {
      event: "connected";
      count: number;
      ms: number;
      /** Per socket: bytes received until its first frame (the snapshot) was whole; NaN where unseen. */
      joinBytes: number[];
      /** With BENCH_TRACE_JOIN=1, per raw socket: ms to the 101, and from the 101 to the first frame. */
      trace?: { toUpgrade: number[]; upgradeToFirstFrame: number[] };
    }
  | {
      event: "collected";
      /** arrivals[i][j]: when socket j received expected[i] (NaN if it never did). */
      arrivals: number[][];
      /** Patch frames received by this process's sockets (a coalesced run of versions is one). */
      frames: number;
      failures: string[];
      badSockets: number;
    }
  | { event: "closed" }
  | { event: "error"; message: string };

interface Subscriber {
  close(): void;
  closedEarly: boolean;
  /** seq → [prev, arrival ms]. */
  received: Array<[seq: number, prev: number, at: number]>;
  otherFrames: number;
  joinBytes: number;
  /** BENCH_TRACE_JOIN: when the socket was opened, got its 101, and its first frame (nowMs). */
  trace: { opened: number; upgraded: number; firstFrame: number };
}

const TRACE_JOIN = process.env.BENCH_TRACE_JOIN === "1";

let subscribers: Subscriber[] = [];
let closing = false;

function send(message: FromChild): void {
  process.send?.(message);
}

function onFrame(sub: Subscriber, text: string, at: number): boolean {
  const frame = JSON.parse(text) as { type?: string; seq?: number; prev?: number };
  if (frame.type === "patch" && typeof frame.seq === "number" && typeof frame.prev === "number") {
    sub.received.push([frame.seq, frame.prev, at]);
  } else {
    sub.otherFrames++;
  }
  return true;
}

/** Opens one subscriber; resolves at its first frame (a snapshot or a hello), so it is registered. */
/** The client library's heartbeat interval. */
const HEARTBEAT_MS = 15_000;

function open(client: ClientKind, url: string, protocols: string[], heartbeat?: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const sub: Subscriber = {
      close: () => {},
      closedEarly: false,
      received: [],
      otherFrames: 0,
      joinBytes: Number.NaN,
      trace: { opened: nowMs(), upgraded: Number.NaN, firstFrame: Number.NaN },
    };
    let ready = false;
    // A socket that opens but never gets its first frame fails the run instead of hanging it.
    const timer = setTimeout(() => {
      if (!ready) reject(new Error(`no first frame from ${url} within 60 s`));
    }, 60_000);
    const first = () => {
      if (!ready) {
        ready = true;
        clearTimeout(timer);
        resolve(sub);
      }
    };
    if (client === "raw") {
      const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
      if (TRACE_JOIN) ws.once("upgrade", () => (sub.trace.upgraded = nowMs()));
      ws.on("message", (data: Buffer, isBinary) => {
        const at = nowMs();
        if (!ready) sub.trace.firstFrame = at;
        // A gzipped snapshot (`snapshot=gzip`) is the only binary frame: counted, never a patch.
        if (isBinary) sub.otherFrames++;
        else onFrame(sub, String(data), at);
        if (!ready) sub.joinBytes = data.byteLength;
        first();
      });
      ws.on("error", (error) => (ready ? undefined : reject(error)));
      ws.on("close", (code) => {
        if (!closing) sub.closedEarly = true;
        if (!ready) reject(new Error(`closed ${code} before the first frame`));
      });
      // Spread over the interval, like clients that connected at different moments.
      let beat: NodeJS.Timeout | undefined;
      if (heartbeat) {
        const ping = () => ws.readyState === ws.OPEN && ws.send(heartbeat);
        beat = setTimeout(() => {
          ping();
          beat = setInterval(ping, HEARTBEAT_MS);
        }, Math.random() * HEARTBEAT_MS);
      }
      sub.close = () => {
        clearTimeout(beat);
        clearInterval(beat);
        ws.terminate();
      };
    } else {
      // engine.io-client hands `perMessageDeflate` to `ws`, but types it as {threshold} only.
      const options = {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        perMessageDeflate: false,
      };
      const socket: Socket = io(url, options as unknown as Parameters<typeof io>[1]);
      socket.on("hello", first);
      socket.on("patch", (text: string) => onFrame(sub, text, nowMs()));
      socket.on("connect_error", (error) => (ready ? undefined : reject(error)));
      socket.on("disconnect", () => {
        if (!closing) sub.closedEarly = true;
      });
      sub.close = () => socket.disconnect();
    }
  });
}

async function connect(msg: Extract<ToChild, { cmd: "connect" }>): Promise<void> {
  closing = false;
  const started = nowMs();
  subscribers = [];
  let next = 0;
  const worker = async () => {
    while (next < msg.count) {
      next++;
      subscribers.push(await open(msg.client, msg.url, msg.protocols, msg.heartbeat));
    }
  };
  await Promise.all(Array.from({ length: Math.min(msg.concurrency, msg.count) }, worker));
  send({
    event: "connected",
    count: subscribers.length,
    ms: nowMs() - started,
    joinBytes: subscribers.map((s) => s.joinBytes),
    ...(TRACE_JOIN
      ? {
          trace: {
            toUpgrade: subscribers.map((s) => s.trace.upgraded - s.trace.opened),
            upgradeToFirstFrame: subscribers.map((s) => s.trace.firstFrame - s.trace.upgraded),
          },
        }
      : {}),
  });
}

async function collect(msg: Extract<ToChild, { cmd: "collect" }>): Promise<void> {
  const last = msg.expected.at(-1);
  const done = () => subscribers.every((s) => s.closedEarly || s.received.at(-1)?.[0] === last);
  const deadline = nowMs() + msg.timeoutMs;
  while (!done() && nowMs() < deadline) await new Promise((r) => setTimeout(r, 20));

  const index = new Map(msg.expected.map((seq, i) => [seq, i]));
  const arrivals = msg.expected.map(() => new Array<number>(subscribers.length).fill(Number.NaN));
  const failures: string[] = [];
  let badSockets = 0;
  subscribers.forEach((sub, j) => {
    const problems: string[] = [];
    if (sub.closedEarly) problems.push("closed before the end");
    // A frame takes the socket from `prev` to `seq`: one version, or a run of them the room
    // coalesced (docs/protocol.md). Every expected version must be covered, in order, exactly once.
    let prev = msg.initialSeq;
    for (const [seq, p, at] of sub.received) {
      if (p !== prev) {
        problems.push(`seq ${seq} has prev ${p}, expected ${prev}`);
        break;
      }
      if (!index.has(seq)) {
        problems.push(`seq ${seq} was never published`);
        break;
      }
      const from = prev === msg.initialSeq ? 0 : (index.get(prev) ?? -1) + 1;
      const to = index.get(seq) ?? -1;
      for (let i = from; i <= to; i++) (arrivals[i] as number[])[j] = at;
      prev = seq;
    }
    if (problems.length === 0 && prev !== last) {
      const missing = msg.expected.filter((seq) => seq > prev);
      problems.push(
        `ended at ${prev}, missing ${missing.slice(0, 5).join(",")}${missing.length > 5 ? "…" : ""}`,
      );
    }
    if (problems.length) {
      badSockets++;
      if (failures.length < 5) failures.push(`socket ${j}: ${problems.join("; ")}`);
    }
  });
  const frames = subscribers.reduce((n, s) => n + s.received.length, 0);
  send({ event: "collected", arrivals, frames, failures, badSockets });
}

process.on("message", (msg: ToChild) => {
  const run = async () => {
    if (msg.cmd === "connect") await connect(msg);
    else if (msg.cmd === "collect") await collect(msg);
    else {
      closing = true;
      for (const s of subscribers) s.close();
      subscribers = [];
      send({ event: "closed" });
    }
  };
  run().catch((error) => send({ event: "error", message: String(error?.stack ?? error) }));
});
// Never outlive the harness.
process.on("disconnect", () => process.exit(0));
