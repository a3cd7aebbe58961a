/**
 * One herd client: a raw WebSocket that reconnects the way client/live-subscription.ts does
 * (full jitter, base 500 ms, max 30 s; the attempt counter reset only after 12 s in sync; a
 * `retry` frame's `afterMs` used instead of the jitter; a resume from the held `since`/`epoch`),
 * asking for gzipped snapshots as the client library does where the runtime can inflate them.
 * Like the library's watchdogs (client/connection.ts, client/live-subscription.ts), an attempt
 * gives up when the handshake has not completed 12 s after it began, or no snapshot came 12 s
 * after it opened, and the client reconnects after its backoff: a connection stuck in the
 * kernel's SYN retries behind a full accept queue is not waited on for minutes. Once open, a
 * client sends the library's plain ping every 15 s (the room closes a socket silent for 60 s
 * with 4009, and a herd of 10,000 takes longer than that to seat); there is no silence watchdog
 * after the snapshot: they are measured only until they hold the version.
 * Every attempt and outcome is timestamped on CLOCK_MONOTONIC (`nowMs`, one clock for every
 * process on the machine), so a herd spread over several processes is measured on one clock.
 */
import { gunzipSync } from "node:zlib";
import WebSocket from "ws";
import { fullJitterDelay } from "../../client/index.ts";
import { HEARTBEAT_PING } from "../../protocol/live-wire.ts";
import { nowMs } from "../fanout/workload.ts";

const BACKOFF = { baseMs: 500, maxMs: 30_000 };
/** The client library's: an attempt counter resets after a connection stayed in sync this long. */
const HEALTHY_AFTER_MS = 12_000;
/** The library's heartbeat timeout: the handshake, then the first snapshot, each get this long. */
const GIVE_UP_AFTER_MS = 12_000;
/** The library's heartbeat interval. */
const HEARTBEAT_MS = 15_000;

/** Every connection attempt and its outcome, timestamped (nowMs()). */
export interface HerdLog {
  attempts: number[];
  /** Accepted: the first frame was a snapshot, a (resumed) patch, or a resume's presence; not a refusal. */
  accepted: number[];
  /** Refused with a hint: a `retry` frame, then close 1013. */
  refused: number[];
  /** Failed without a hint (connection refused while the runtime is down, 1006, …). */
  failed: number[];
}
export const newHerdLog = (): HerdLog => ({ attempts: [], accepted: [], refused: [], failed: [] });

interface Frame {
  type?: string;
  resumed?: boolean;
  seq?: number;
  epoch?: string;
  afterMs?: number;
}

/**
 * A gzipped snapshot's header without parsing its whole state: the frame is
 * `{"type":"snapshot","matchId":…,"epoch":…,"seq":…,"state":…}` (protocol/frames.ts), and a
 * herd of thousands parsing 60 KB each would take the CPU from the server being measured.
 * Falls back to a full parse if the order ever changes.
 */
function snapshotHeader(bytes: Buffer): Frame {
  const text = gunzipSync(bytes).toString("utf8");
  const head = /^\{"type":"snapshot","matchId":"[^"]*","epoch":"([^"]*)","seq":(\d+),/.exec(
    text.slice(0, 512),
  );
  if (head) return { type: "snapshot", epoch: head[1], seq: Number(head[2]) };
  return JSON.parse(text) as Frame;
}

export class HerdClient {
  seq: number | null = null;
  epoch: string | null = null;
  /** When this client first held `target` (nowMs), or null. */
  heldAt: number | null = null;
  target = -1;
  log: HerdLog = newHerdLog();
  private syncedAt: number | null = null;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryAfterMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly base: string,
    private readonly matchId: string,
    private readonly onHeld: (c: HerdClient) => void,
  ) {}

  /** Waits for `seq` from now on (it may already hold it). */
  aim(seq: number): void {
    this.target = seq;
    this.heldAt = null;
    this.check();
  }

  connect(): void {
    if (this.stopped) return;
    this.timer = null;
    const url = new URL(`${this.base}/v1/matches/${this.matchId}/ws`);
    url.searchParams.set("region", "weur");
    url.searchParams.set("snapshot", "gzip");
    if (this.seq !== null && this.epoch !== null) {
      url.searchParams.set("since", String(this.seq));
      url.searchParams.set("epoch", this.epoch);
    }
    this.retryAfterMs = null;
    this.syncedAt = null;
    let first = true;
    let refusedHint = false;
    this.log.attempts.push(nowMs());
    const ws = new WebSocket(url, ["crease.v1"], { perMessageDeflate: false });
    this.ws = ws;
    let watchdog: NodeJS.Timeout | undefined = setTimeout(() => ws.terminate(), GIVE_UP_AFTER_MS);
    const stopWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = undefined;
    };
    let beat: NodeJS.Timeout | undefined;
    ws.on("open", () => {
      stopWatchdog();
      watchdog = setTimeout(() => ws.terminate(), GIVE_UP_AFTER_MS);
      const ping = () => ws.readyState === ws.OPEN && ws.send(HEARTBEAT_PING);
      beat = setTimeout(() => {
        ping();
        beat = setInterval(ping, HEARTBEAT_MS);
      }, Math.random() * HEARTBEAT_MS);
    });
    ws.on("message", (data: Buffer, isBinary) => {
      const at = nowMs();
      const m: Frame = isBinary ? snapshotHeader(data) : (JSON.parse(String(data)) as Frame);
      if (m.type === "retry") {
        stopWatchdog();
        this.retryAfterMs = m.afterMs ?? null;
        refusedHint = true;
        return;
      }
      // A resume with nothing new is answered by a presence frame marked `resumed`: in sync, as the library sees it.
      if (m.type === "presence" && m.resumed === true && first) {
        first = false;
        this.log.accepted.push(at);
        stopWatchdog();
        this.syncedAt ??= at;
        return;
      }
      if ((m.type === "snapshot" || m.type === "patch" || m.type === "delta") && typeof m.seq === "number") {
        if (first) this.log.accepted.push(at);
        first = false;
        stopWatchdog();
        if (m.type === "snapshot" && m.epoch) this.epoch = m.epoch;
        if (this.seq === null || m.seq > this.seq) this.seq = m.seq;
        this.syncedAt ??= at;
        this.check(at);
      }
    });
    ws.on("error", () => undefined); // the close that follows decides
    ws.on("close", (code) => {
      stopWatchdog();
      clearTimeout(beat);
      clearInterval(beat);
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      const at = nowMs();
      if (first) (code === 1013 && refusedHint ? this.log.refused : this.log.failed).push(at);
      if (this.syncedAt !== null && at - this.syncedAt >= HEALTHY_AFTER_MS) this.attempt = 0;
      const delay = this.retryAfterMs ?? fullJitterDelay(this.attempt, BACKOFF, Math.random);
      this.attempt++;
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
  }

  private check(at = nowMs()): void {
    if (this.heldAt === null && this.seq !== null && this.seq >= this.target) {
      this.heldAt = at;
      this.onHeld(this);
    }
  }
}
