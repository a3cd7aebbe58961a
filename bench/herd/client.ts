/**
 * One herd viewer: the real client library (`subscribe` from client/), in Node with `ws`, as a
 * page would run it: gzipped snapshots, full-jitter reconnects (base 500 ms, max 30 s), a resume
 * from the held seq and epoch, the server's `retry` hint, and the library's own watchdog, which
 * gives up on a connection that has shown no frame for 12 s (handshake included) and reconnects.
 *
 * The library is not changed to be measured: the WebSocket it is handed is `ws`'s, wrapped to
 * timestamp each attempt and its outcome on CLOCK_MONOTONIC (`nowMs`, one clock for every
 * process on the machine), and to see the library give up (it closes with CLIENT_GAVE_UP, 4000).
 */
import WebSocket from "ws";
import { type Subscription, subscribe } from "../../client/index.ts";
import { nowMs } from "../fanout/workload.ts";

/** The library's close code when it gives up on a connection (client/connection.ts CLIENT_GAVE_UP). */
const GAVE_UP = 4000;

/** Every connection attempt and its outcome, timestamped (nowMs()). */
export interface HerdLog {
  attempts: number[];
  /** Accepted: the socket's first frame arrived and was not a `retry` refusal. */
  accepted: number[];
  /** Refused with a hint: a `retry` frame, then the close (1013). */
  refused: number[];
  /** Failed without a hint: connection refused or reset while the runtime was down, 1006, … */
  failed: number[];
  /** Given up by the library: no frame for its heartbeat timeout (12 s), closed with 4000. */
  gaveUp: number[];
}
export const newHerdLog = (): HerdLog => ({
  attempts: [],
  accepted: [],
  refused: [],
  failed: [],
  gaveUp: [],
});

export class HerdViewer {
  /** When this viewer first held any version (its seat), and when it first held `target`. */
  seatedAt: number | null = null;
  heldAt: number | null = null;
  target = Number.POSITIVE_INFINITY;
  log: HerdLog = newHerdLog();
  private sub: Subscription<unknown> | null = null;

  constructor(
    private readonly base: string,
    private readonly matchId: string,
    private readonly onHeld: (v: HerdViewer) => void,
  ) {}

  get seq(): number | null {
    return this.sub?.seq ?? null;
  }

  /** True when the library stopped for good (a close code that forbids reconnecting). */
  get closedForGood(): boolean {
    return this.sub?.status === "closed";
  }

  /** Waits for `seq` from now on (it may already hold it). */
  aim(seq: number): void {
    this.target = seq;
    this.heldAt = null;
    this.check(nowMs());
  }

  connect(): void {
    const log = (): HerdLog => this.log;
    // The library constructs this once per attempt; `ws` takes options the browser's does not.
    class CountedWebSocket extends WebSocket {
      private abandoned = false;

      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { perMessageDeflate: false });
        log().attempts.push(nowMs());
        let first = true;
        let refused = false;
        this.on("message", (data: Buffer, isBinary: boolean) => {
          if (!first) return;
          first = false;
          if (!isBinary && data.subarray(0, 40).toString().includes('"type":"retry"')) refused = true;
          else log().accepted.push(nowMs());
        });
        this.on("close", () => {
          if (refused) log().refused.push(nowMs());
          else if (first && !this.abandoned) log().failed.push(nowMs());
        });
      }

      override close(code?: number, reason?: string): void {
        if (code === GAVE_UP) {
          this.abandoned = true;
          log().gaveUp.push(nowMs());
        }
        super.close(code, reason);
      }
    }
    this.sub = subscribe({
      baseUrl: this.base,
      matchId: this.matchId,
      region: "weur",
      WebSocket: CountedWebSocket,
    });
    this.sub.on("update", () => this.check(nowMs()));
  }

  stop(): void {
    this.sub?.close();
  }

  private check(at: number): void {
    const seq = this.seq;
    if (seq === null) return;
    this.seatedAt ??= at;
    if (this.heldAt === null && seq >= this.target) {
      this.heldAt = at;
      this.onHeld(this);
    }
  }
}
