/**
 * The herd (issues 7 and 13): N raw WebSocket clients connect within one second; then the whole
 * runtime is killed (kill -9), restarted on the same state, and one new version is posted, and
 * every client comes back the way the client library does (full jitter, base 500 ms, max 30 s,
 * resuming from its seq and epoch, a server `retry` hint honoured; bench/herd/client.ts).
 * Measures: time until all hold a snapshot; after the kill, time from the stack answering again
 * (its first successful HTTP response) to every client holding the newest seq (per client:
 * p50, p95, max); the peak reconnect rate (per 100 ms and per second); how many attempts were
 * refused with a retry hint (1013 + `retry`); whether every client converged.
 *
 *   npx tsx bench/herd.ts                      1,000 clients under wrangler dev, default admission, then 200/s
 *   npx tsx bench/herd.ts --clients 500 --only admit
 *   npx tsx bench/herd.ts --runtime miniflare --clients 10000 --processes 4
 *
 * The clients live in `--processes` child processes (bench/herd/herd-process.ts; default one per
 * 2,500), every timestamp on CLOCK_MONOTONIC. `wrangler` (default) is the local stack with its
 * proxy, which caps N near 2,500; `miniflare` runs the Worker's bundle on workerd alone
 * (bench/fanout/miniflare-stack.ts), killed with SIGKILL to its workerd process and restarted on
 * the same port and persisted state. Two variants, each on a fresh stack: `default` (the room's
 * admission bucket at its defaults, 1,000/s, burst 1,000) and `admit` (ROOM_ADMIT_PER_SECOND 200,
 * ROOM_ADMIT_BURST 200). Loopback only; stops by itself (8 minutes, 20 under Miniflare). Also run
 * by the full mode of `npm run bench` (runHerd, at its defaults).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { cleanupAll, guardCli, isMain, onCleanup } from "./cleanup.ts";
import { MiniflareStack } from "./fanout/miniflare-stack.ts";
import { nowMs } from "./fanout/workload.ts";
import type { HerdLog } from "./herd/client.ts";
import type { FromHerd, ToHerd } from "./herd/herd-process.ts";
import { fixtureEvents, sleep } from "./herd/procs.ts";

export type HerdRuntime = "wrangler" | "miniflare";
export const HERD_RUNTIMES: readonly HerdRuntime[] = ["wrangler", "miniflare"] as const;

interface Variant {
  name: string;
  vars: Record<string, string>;
}
export const HERD_VARIANTS: Variant[] = [
  { name: "default", vars: {} },
  { name: "admit", vars: { ROOM_ADMIT_PER_SECOND: "200", ROOM_ADMIT_BURST: "200" } },
];

/** The goal: every client holds the newest version this soon after the stack answers again. */
export const HERD_GOAL_MS = 10_000;
/** The most clients one child process holds (file descriptors and CPU). */
const PER_PROCESS = 3000;

/** What both stacks offer the herd. */
interface HerdStack {
  readonly base: string;
  start(): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  ingest(events: ReturnType<typeof fixtureEvents>): Promise<Response>;
}

/** Counts per bucket of `width` ms since `from`; the peak bucket. */
function peak(times: number[], from: number, width: number): number {
  const buckets = new Map<number, number>();
  for (const t of times) {
    if (t < from) continue;
    const b = Math.floor((t - from) / width);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  let max = 0;
  for (const n of buckets.values()) max = Math.max(max, n);
  return max;
}

const r0 = (x: number) => Math.round(x);

/** Counts per second since `from`, up to the last time (the shape of a wave). */
function perSecond(times: number[], from: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    if (t < from) continue;
    const b = Math.floor((t - from) / 1000);
    while (out.length <= b) out.push(0);
    out[b] = (out[b] ?? 0) + 1;
  }
  return out;
}

/** Nearest-rank percentile of sorted values. */
function pct(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return r0(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
}

/** The herd's child processes, and the messages they send back. */
class Herd {
  private readonly inbox: FromHerd[][] = [];
  private readonly waiters: Array<() => void> = [];
  readonly holding: number[];

  constructor(readonly children: ChildProcess[]) {
    this.holding = children.map(() => 0);
    children.forEach((child, i) => {
      this.inbox[i] = [];
      child.on("message", (m: FromHerd) => {
        if (m.event === "progress") this.holding[i] = m.holding;
        if (m.event === "error") console.error(`herd process ${i}: ${m.message}`);
        this.inbox[i]?.push(m);
        for (const wake of this.waiters.splice(0)) wake();
      });
      child.on("exit", () => {
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static fork(count: number): Herd {
    return new Herd(
      Array.from({ length: count }, () =>
        fork(join(import.meta.dirname, "herd", "herd-process.ts"), [], {
          execArgv: ["--import", "tsx"],
          serialization: "advanced",
          stdio: "inherit",
        }),
      ),
    );
  }

  send(i: number, msg: ToHerd): void {
    this.children[i]?.send(msg);
  }

  /**
   * From every child, the first message (since the last take) that `match` accepts, in child
   * order; null for a child that sent none within `ms` (or exited).
   */
  async take<T extends FromHerd>(match: (m: FromHerd) => m is T, ms: number): Promise<Array<T | null>> {
    const deadline = nowMs() + ms;
    const found: Array<T | null> = this.children.map(() => null);
    for (;;) {
      this.children.forEach((_, i) => {
        if (found[i]) return;
        const box = this.inbox[i] ?? [];
        const at = box.findIndex(match);
        if (at >= 0) found[i] = box.splice(at, 1)[0] as T;
      });
      const pending = this.children.some((c, i) => !found[i] && c.exitCode === null && c.signalCode === null);
      if (!pending || nowMs() > deadline) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1000, Math.max(0, deadline - nowMs())));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drops what earlier phases left unread. */
  clear(): void {
    for (const box of this.inbox) box?.splice(0);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
  }
}

const is =
  <E extends FromHerd["event"]>(
    event: E,
    extra: (m: Extract<FromHerd, { event: E }>) => boolean = () => true,
  ) =>
  (m: FromHerd): m is Extract<FromHerd, { event: E }> =>
    m.event === event && extra(m as Extract<FromHerd, { event: E }>);

/** The first successful GET /health at or after now, polled every 20 ms: when the stack answers again. */
async function firstAnswer(base: string, until: number): Promise<number | null> {
  while (nowMs() < until) {
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) });
      const at = nowMs();
      await res.body?.cancel();
      if (res.ok) return at;
    } catch {
      // not answering yet
    }
    await sleep(20);
  }
  return null;
}

interface RunOptions {
  clients: number;
  processes: number;
  runtime: HerdRuntime;
  convergeMs: number;
}

async function runVariant(v: Variant, o: RunOptions) {
  const stack: HerdStack =
    o.runtime === "wrangler"
      ? new LocalStack(await freePort(), tempStateDir(), { vars: v.vars })
      : new MiniflareStack({ vars: v.vars });
  const herd = Herd.fork(o.processes);
  const unregister = onCleanup(async () => {
    await herd.stop();
    await stack.stop();
  });
  try {
    return await measure();
  } finally {
    unregister();
    for (let i = 0; i < o.processes; i++) herd.send(i, { cmd: "stop" });
    await herd.stop();
    await stack.stop().catch(() => undefined);
  }

  async function measure() {
    const N = o.clients;
    const shares = Array.from(
      { length: o.processes },
      (_, i) => Math.floor(N / o.processes) + (i < N % o.processes ? 1 : 0),
    );
    const [, ready] = await Promise.all([stack.start(), herd.take(is("ready"), 60_000)]);
    if (ready.some((r) => !r)) throw new Error("herd: a client process did not start");
    const matchId = `herd-${v.name}-${Date.now()}`;
    const events = fixtureEvents(matchId);
    const ingest = async (i: number) => {
      const res = await stack.ingest(events.slice(i, i + 1));
      await res.body?.cancel();
      if (!res.ok) throw new Error(`ingest ${i} answered ${res.status}`);
      return events[i]?.seq as number;
    };
    const report = async () => {
      herd.clear();
      for (let i = 0; i < o.processes; i++) herd.send(i, { cmd: "report" });
      const reports = await herd.take(is("report"), 30_000);
      const log: HerdLog = { attempts: [], accepted: [], refused: [], failed: [] };
      const heldAt: number[] = [];
      for (const r of reports) {
        if (!r) throw new Error("herd: a client process did not report");
        for (const k of ["attempts", "accepted", "refused", "failed"] as const) log[k].push(...r.log[k]);
        heldAt.push(...r.heldAt);
      }
      return { log, heldAt };
    };
    const progress = () => herd.holding.reduce((a, b) => a + b, 0);

    // (a) N clients, each starting at a uniform random moment within one second.
    const seq0 = await ingest(0);
    const base = stack.base.replace("http", "ws");
    const tA = nowMs() + 300;
    shares.forEach((count, i) => {
      herd.send(i, { cmd: "connect", base, matchId, count, seq: seq0, startAt: tA, windowMs: 1000 });
    });
    const watchA = setInterval(
      () => console.error(`herd ${v.name}: ${progress()} of ${N} hold the snapshot`),
      5000,
    );
    const heldA = await herd.take(
      is("held", (m) => m.seq === seq0),
      o.convergeMs + 1300,
    );
    clearInterval(watchA);
    const okA = heldA.every((h) => h !== null);
    const repA = await report();
    const holdingA = repA.heldAt.filter((t) => !Number.isNaN(t)).length;
    const a = {
      allSnapshotMs: okA ? r0(Math.max(...heldA.map((h) => h?.lastAt ?? 0)) - tA) : null,
      holding: holdingA,
      refused: repA.log.refused.length,
      /** Attempts that failed without a hint (connection refused or reset, 1006). */
      failed: repA.log.failed.length,
      attempts: repA.log.attempts.length,
      peakAcceptedPer100ms: peak(repA.log.accepted, tA, 100),
      peakAcceptedPerSecond: peak(repA.log.accepted, tA, 1000),
    };
    console.error(`herd ${v.name}: (a) ${JSON.stringify(a)}`);
    if (!okA) return { variant: v.name, vars: v.vars, connect: a, restart: null };
    await sleep(1000);

    // (b) kill -9 the runtime, restart it on the same state, post one new version.
    const seq1 = events[1]?.seq as number;
    herd.clear();
    for (let i = 0; i < o.processes; i++) herd.send(i, { cmd: "aim", seq: seq1 });
    if ((await herd.take(is("aimed"), 10_000)).some((m) => !m))
      throw new Error("herd: a process did not aim");
    const tKill = nowMs();
    await stack.kill9();
    const tKilled = nowMs();
    const answered = firstAnswer(stack.base, tKilled + 120_000);
    await stack.start();
    const tStarted = nowMs();
    const tUp = (await answered) ?? tStarted;
    await ingest(1);
    const tAck = nowMs();
    const watch = setInterval(
      () => console.error(`herd ${v.name}: ${progress()} of ${N} hold seq ${seq1}`),
      5000,
    );
    const heldB = await herd.take(
      is("held", (m) => m.seq === seq1),
      o.convergeMs,
    );
    clearInterval(watch);
    const okB = heldB.every((h) => h !== null);
    const tDone = Math.max(...heldB.map((h) => h?.lastAt ?? nowMs()));
    const { log, heldAt } = await report();
    const held = heldAt.filter((t) => !Number.isNaN(t));
    const toNewest = held.map((t) => t - tUp).sort((x, y) => x - y);
    const b = {
      killMs: r0(tKilled - tKill),
      restartMs: r0(tUp - tKilled),
      ingestAfterRestartMs: r0(tAck - tUp),
      latestSeq: seq1,
      allLatestFromKillMs: okB ? r0(tDone - tKill) : null,
      /** From the stack's first successful HTTP response after the restart. */
      allLatestFromRestartMs: okB ? r0(tDone - tUp) : null,
      allLatestFromAckMs: okB ? r0(tDone - tAck) : null,
      /** Per client, from the stack answering again to holding the newest seq (those that did). */
      toNewestMs: { p50: pct(toNewest, 50), p95: pct(toNewest, 95), max: pct(toNewest, 100) },
      withinGoal: okB && tDone - tUp <= HERD_GOAL_MS,
      holding: held.length,
      attempts: log.attempts.length,
      attemptsWhileDown: log.attempts.filter((t) => t < tUp).length,
      accepted: log.accepted.length,
      refusedWithHint: log.refused.length,
      failedNoHint: log.failed.length,
      peakAcceptedPer100ms: peak(log.accepted, tUp, 100),
      peakAcceptedPerSecond: peak(log.accepted, tUp, 1000),
      peakAttemptsPer100msAfterRestart: peak(log.attempts, tUp, 100),
      acceptedFirstSecondAfterRestart: log.accepted.filter((t) => t >= tUp && t < tUp + 1000).length,
      /** Per second from the stack answering again: connection attempts, and attempts accepted. */
      attemptsBySecond: perSecond(log.attempts, tUp),
      acceptedBySecond: perSecond(log.accepted, tUp),
    };
    console.error(`herd ${v.name}: (b) ${JSON.stringify(b)}`);
    return { variant: v.name, vars: v.vars, connect: a, restart: b };
  }
}

export type HerdVariantResult = Awaited<ReturnType<typeof runVariant>>;

export interface HerdOptions {
  /** Clients: 1 to 2,500 under wrangler dev (its proxy), up to 12,000 under Miniflare (default 1,000). */
  clients?: number;
  /** Variant names to run (default: all, `default` then `admit`). */
  only?: string[];
  /** Seconds to wait for every client to converge, per phase (default 120). */
  timeoutSeconds?: number;
  /** `wrangler` (default): `wrangler dev` with its proxy; `miniflare`: workerd alone. */
  runtime?: HerdRuntime;
  /** Child processes the clients are spread over (default: one per 2,500 clients). */
  processes?: number;
}

export interface HerdResult {
  clients: number;
  /** Where Crease ran and how many processes held the clients (absent in results before issue 13). */
  runtime?: HerdRuntime;
  processes?: number;
  date: string;
  node: string;
  results: HerdVariantResult[];
  /** Some client never held the snapshot or the latest seq within the timeout. */
  incomplete: boolean;
}

export async function runHerd(opts: HerdOptions = {}): Promise<HerdResult> {
  const N = opts.clients ?? 1000;
  const runtime = opts.runtime ?? "wrangler";
  const max = runtime === "wrangler" ? 2500 : 12_000;
  if (!HERD_RUNTIMES.includes(runtime)) throw new Error(`--runtime: ${HERD_RUNTIMES.join(" or ")}`);
  if (!Number.isInteger(N) || N < 1 || N > max)
    throw new Error(
      runtime === "wrangler"
        ? "--clients: 1 to 2,500 under wrangler dev (its proxy); use --runtime miniflare for more"
        : "--clients: 1 to 12,000 under Miniflare (workerd's file descriptors)",
    );
  const processes = opts.processes ?? Math.ceil(N / 2500);
  if (!Number.isInteger(processes) || processes < 1 || processes > N || N / processes > PER_PROCESS)
    throw new Error(`--processes: 1 to --clients, at most ${PER_PROCESS} clients each`);
  const convergeMs = (opts.timeoutSeconds ?? 120) * 1000;
  const variants = HERD_VARIANTS.filter((v) => !opts.only?.length || opts.only.includes(v.name));
  const results: HerdVariantResult[] = [];
  for (const v of variants) results.push(await runVariant(v, { clients: N, processes, runtime, convergeMs }));
  const incomplete = results.some(
    (r) => r.connect.allSnapshotMs === null || r.restart?.allLatestFromKillMs == null,
  );
  return {
    clients: N,
    runtime,
    processes,
    date: new Date().toISOString(),
    node: process.version,
    results,
    incomplete,
  };
}

/** The result as Markdown tables (times in ms). */
export function herdMarkdown(h: HerdResult): string {
  const cell = (x: number | null | undefined) => (x == null ? "timeout" : x.toLocaleString("en"));
  const where = h.runtime === "miniflare" ? "Miniflare (workerd, no proxy)" : "wrangler dev";
  return [
    `${h.clients.toLocaleString("en")} clients over ${h.processes ?? 1} process(es), Crease on ${where}; full jitter 500 ms – 30 s; times in ms. ` +
      `"Answering" is the stack's first successful HTTP response after the restart; goal: all hold the newest version within ${HERD_GOAL_MS.toLocaleString("en")} ms of it.`,
    "",
    "| variant | (a) all hold snapshot | (a) refused | restart took | all newest, from kill | from answering | from 2xx | per client from answering p50 / p95 / max | within goal | attempts (while down) | peak accepted /100 ms | /s | refused w/ hint | failed no hint |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ...h.results.map((r) => {
      const b = r.restart;
      const head = `| ${r.variant} | ${cell(r.connect.allSnapshotMs)} | ${r.connect.refused} |`;
      if (!b) return `${head} not run | | | | | | | | | | |`;
      const t = b.toNewestMs;
      return `${head} ${cell(b.restartMs)} | ${cell(b.allLatestFromKillMs)} | ${cell(b.allLatestFromRestartMs)} | ${cell(b.allLatestFromAckMs)} | ${cell(t.p50)} / ${cell(t.p95)} / ${cell(t.max)} | ${b.withinGoal ? "yes" : "no"} | ${b.attempts} (${b.attemptsWhileDown}) | ${b.peakAcceptedPer100ms} | ${b.peakAcceptedPerSecond} | ${b.refusedWithHint} | ${b.failedNoHint} |`;
    }),
    "",
    ...h.results.flatMap((r) =>
      r.restart
        ? [
            `- ${r.variant}, per second from answering: accepted ${r.restart.acceptedBySecond.slice(0, 40).join(", ")}; attempts ${r.restart.attemptsBySecond.slice(0, 40).join(", ")}`,
          ]
        : [],
    ),
  ].join("\n");
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "1000" },
      only: { type: "string" },
      timeout: { type: "string", default: "120" },
      runtime: { type: "string", default: "wrangler" },
      processes: { type: "string" },
    },
  });
  guardCli("herd", values.runtime === "miniflare" ? 1_200_000 : 480_000);
  let h: HerdResult;
  try {
    h = await runHerd({
      clients: Number(values.clients),
      only: values.only?.split(","),
      timeoutSeconds: Number(values.timeout),
      runtime: values.runtime as HerdRuntime,
      processes: values.processes ? Number(values.processes) : undefined,
    });
  } finally {
    await cleanupAll();
  }
  console.error(`\n${herdMarkdown(h)}`);
  const { incomplete, ...line } = h;
  console.log(JSON.stringify(line));
  process.exit(incomplete ? 1 : 0);
}
