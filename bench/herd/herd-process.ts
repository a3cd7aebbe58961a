/**
 * A child process holding a share of the herd (bench/herd.ts forks a few, so no single process
 * runs out of file descriptors or CPU at 10,000 viewers). It starts its viewers (the client
 * library, bench/herd/client.ts) at uniform random moments within a window from a start time
 * the parent chose, reports how many hold the version it aims at, and hands back every viewer's
 * timestamps on CLOCK_MONOTONIC (`nowMs`, the same clock in every process). It exits when its
 * parent goes away.
 */
import { nowMs } from "../fanout/workload.ts";
import { type HerdLog, HerdViewer, newHerdLog } from "./client.ts";

export type ToHerd =
  | {
      cmd: "connect";
      base: string;
      matchId: string;
      count: number;
      /** The version the viewers aim at (the first one held counts from here). */
      seq: number;
      startAt: number;
      windowMs: number;
    }
  /** Aim every viewer at `seq` and forget the logs so far (the next phase starts). */
  | { cmd: "aim"; seq: number }
  | { cmd: "report" }
  | { cmd: "stop" };

export type FromHerd =
  | { event: "ready" }
  /** The aim took effect: logs from here on belong to the new phase. */
  | { event: "aimed"; seq: number }
  | { event: "progress"; seq: number; holding: number; seated: number }
  | {
      event: "report";
      /** Per viewer: when it first held any version, and the aimed one (NaN if it never did). */
      seatedAt: number[];
      heldAt: number[];
      /** Viewers the library closed for good (a terminal close code). */
      closedForGood: number;
      /** Viewers that gave up on at least one connection (the library's 12 s watchdog). */
      gaveUp: number;
      log: HerdLog;
    }
  | { event: "stopped" }
  | { event: "error"; message: string };

let viewers: HerdViewer[] = [];
let target = -1;
let holding = 0;
let reported = "";

function send(message: FromHerd): void {
  process.send?.(message);
}

function onHeld(v: HerdViewer): void {
  if (v.target === target) holding++;
}

// Progress four times a second, only when it changed: enough to follow, cheap at 2,500 viewers.
setInterval(() => {
  const seated = viewers.reduce((n, v) => n + (v.seatedAt === null ? 0 : 1), 0);
  const now = `${target}/${holding}/${seated}`;
  if (now !== reported) {
    reported = now;
    send({ event: "progress", seq: target, holding, seated });
  }
}, 250).unref();

function aim(seq: number): void {
  target = seq;
  holding = 0;
  reported = "";
  for (const v of viewers) v.log = newHerdLog();
  for (const v of viewers) v.aim(seq);
}

process.on("message", (msg: ToHerd) => {
  try {
    switch (msg.cmd) {
      case "connect": {
        viewers = Array.from({ length: msg.count }, () => new HerdViewer(msg.base, msg.matchId, onHeld));
        aim(msg.seq);
        for (const v of viewers)
          setTimeout(() => v.connect(), msg.startAt + Math.random() * msg.windowMs - nowMs());
        return;
      }
      case "aim":
        aim(msg.seq);
        return send({ event: "aimed", seq: msg.seq });
      case "report": {
        const log: HerdLog = newHerdLog();
        for (const v of viewers)
          for (const k of Object.keys(log) as (keyof HerdLog)[]) log[k].push(...v.log[k]);
        return send({
          event: "report",
          seatedAt: viewers.map((v) => v.seatedAt ?? Number.NaN),
          heldAt: viewers.map((v) => v.heldAt ?? Number.NaN),
          closedForGood: viewers.filter((v) => v.closedForGood).length,
          gaveUp: viewers.filter((v) => v.log.gaveUp.length > 0).length,
          log,
        });
      }
      case "stop":
        for (const v of viewers) v.stop();
        viewers = [];
        return send({ event: "stopped" });
    }
  } catch (error) {
    send({ event: "error", message: String(error instanceof Error ? error.stack : error) });
  }
});
// Never outlive the harness.
process.on("disconnect", () => process.exit(0));
send({ event: "ready" });
