/**
 * A child process holding a share of the herd (bench/herd.ts forks a few, so no single process
 * runs out of file descriptors or CPU at 10,000 clients). It starts its clients at uniform
 * random moments within a window from a start time the parent chose, tells the parent when its
 * whole share holds the version it aims at, and hands back every client's timestamps on
 * CLOCK_MONOTONIC (`nowMs`, the same clock in every process). It exits when its parent goes away.
 */
import { nowMs } from "../fanout/workload.ts";
import { HerdClient, type HerdLog, newHerdLog } from "./client.ts";

export type ToHerd =
  | {
      cmd: "connect";
      base: string;
      matchId: string;
      count: number;
      /** The version the clients aim at (the first one held counts from here). */
      seq: number;
      startAt: number;
      windowMs: number;
    }
  /** Aim every client at `seq` and forget the logs so far (the next phase starts). */
  | { cmd: "aim"; seq: number }
  | { cmd: "report" }
  | { cmd: "stop" };

export type FromHerd =
  | { event: "ready" }
  /** The aim took effect: logs from here on belong to the new phase. */
  | { event: "aimed"; seq: number }
  /** Every client of this process holds `seq`; `lastAt` is when the last one got it. */
  | { event: "held"; seq: number; lastAt: number }
  | { event: "progress"; seq: number; holding: number }
  | {
      event: "report";
      /** Per client: when it first held the aimed seq (NaN if it never did). */
      heldAt: number[];
      log: HerdLog;
    }
  | { event: "stopped" }
  | { event: "error"; message: string };

let clients: HerdClient[] = [];
let target = -1;
let holding = 0;
let lastHeldAt = 0;
let reported = -1;

function send(message: FromHerd): void {
  process.send?.(message);
}

function onHeld(c: HerdClient): void {
  if (c.target !== target || c.heldAt === null) return;
  holding++;
  lastHeldAt = Math.max(lastHeldAt, c.heldAt);
  if (holding === clients.length) send({ event: "held", seq: target, lastAt: lastHeldAt });
}

// A progress line four times a second, only when it changed: enough to watch, cheap at 2,500 clients.
setInterval(() => {
  if (holding !== reported && holding < clients.length) {
    reported = holding;
    send({ event: "progress", seq: target, holding });
  }
}, 250).unref();

function aim(seq: number): void {
  target = seq;
  holding = 0;
  lastHeldAt = 0;
  reported = -1;
  for (const c of clients) c.log = newHerdLog();
  for (const c of clients) c.aim(seq);
}

process.on("message", (msg: ToHerd) => {
  try {
    switch (msg.cmd) {
      case "connect": {
        clients = Array.from({ length: msg.count }, () => new HerdClient(msg.base, msg.matchId, onHeld));
        aim(msg.seq);
        for (const c of clients) {
          const at = msg.startAt + Math.random() * msg.windowMs;
          setTimeout(() => c.connect(), at - nowMs());
        }
        return;
      }
      case "aim":
        aim(msg.seq);
        return send({ event: "aimed", seq: msg.seq });
      case "report": {
        const log: HerdLog = {
          attempts: clients.flatMap((c) => c.log.attempts),
          accepted: clients.flatMap((c) => c.log.accepted),
          refused: clients.flatMap((c) => c.log.refused),
          failed: clients.flatMap((c) => c.log.failed),
        };
        return send({ event: "report", heldAt: clients.map((c) => c.heldAt ?? Number.NaN), log });
      }
      case "stop":
        for (const c of clients) c.stop();
        clients = [];
        return send({ event: "stopped" });
    }
  } catch (error) {
    send({ event: "error", message: String(error instanceof Error ? error.stack : error) });
  }
});
// Never outlive the harness.
process.on("disconnect", () => process.exit(0));
send({ event: "ready" });
