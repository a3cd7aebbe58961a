/**
 * The herds (issue 20): thousands of viewers of the real client library (client/, run in Node by
 * bench/herd/client.ts) arriving at one match at once, in two kinds, each on a fresh stack.
 *
 * - **reconnect**: N viewers are seated on a match (spread over `--seat-window` seconds), then
 *   the runtime is killed (kill -9), restarted on the same state, and one new version is
 *   posted; every viewer comes back on its own (the library's full jitter, resume, retry hint
 *   and 12 s watchdog). Measured from the stack answering again (its first successful
 *   `GET /health`) until every viewer holds the new version (`convergedMs`).
 * - **toss**: N new viewers (no resume point) arrive at uniform random moments within
 *   `--toss-window` seconds (10) on a live match, which publishes a version every 2 s while they
 *   arrive. Measured from the first arrival until every viewer is seated and holds the newest
 *   version (`seatedMs`), with the seating curve (`seatedPerSecond`: viewers first seated in
 *   each second from the first arrival).
 *
 * `gaveUp` counts the viewers whose library gave up on at least one connection (no frame for its
 * 12 s heartbeat timeout: a handshake stuck behind a full accept queue, or a snapshot that never
 * came); `unconverged` those that did not hold the newest version when `--timeout` ran out.
 * Either herd stops by itself at its bound and reports what it saw (null times when it did not
 * converge); the exit code is 1 when some viewer did not converge.
 *
 *   npx tsx bench/herd.ts                                   both herds, 10,000 viewers, Miniflare
 *   npx tsx bench/herd.ts --clients 2000 --only toss --timeout 30
 *   npx tsx bench/herd.ts --runtime wrangler --clients 1000  under wrangler dev (N ≤ 2,500: its proxy)
 *   npx tsx bench/herd.ts --var ROOM_ADMIT_PER_SECOND=200   the stack with a var set
 *
 * The viewers live in `--processes` child processes (bench/herd/herd-process.ts; default one per
 * 2,500, for the 20,000 file descriptors a process may open), every timestamp on
 * CLOCK_MONOTONIC. `miniflare` runs the Worker's bundle on workerd alone
 * (bench/fanout/miniflare-stack.ts; the kill is SIGKILL to its workerd, the restart a new
 * Miniflare on the same port and persisted state); `wrangler` is the local stack with its proxy.
 * Loopback only; the last stdout line is one JSON object, `{"reconnect": {…}, "toss": {…}}`.
 * Also run by the full mode of `npm run bench` (runHerd, 1,000 viewers).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { cleanupAll, guardCli, isMain, onCleanup } from "./cleanup.ts";
import { MiniflareStack } from "./fanout/miniflare-stack.ts";
import { nowMs } from "./fanout/workload.ts";
import { type HerdLog, newHerdLog } from "./herd/client.ts";
import type { FromHerd, ToHerd } from "./herd/herd-process.ts";
import { fixtureEvents, sleep } from "./herd/procs.ts";

export type HerdRuntime = "wrangler" | "miniflare";
export const HERD_RUNTIMES: readonly HerdRuntime[] = ["wrangler", "miniflare"] as const;
export type HerdKind = "reconnect" | "toss";
export const HERD_KINDS: readonly HerdKind[] = ["reconnect", "toss"] as const;

/** Issue 20's goals: all on the newest version this soon after answering (reconnect) or arriving (toss). */
export const RECONNECT_GOAL_MS = 15_000;
export const TOSS_GOAL_MS = 20_000;
/** The most viewers one child process holds (file descriptors and CPU). */
const PER_PROCESS = 3000;
/** On a live match during the toss: one new version this often while the viewers arrive. */
const TOSS_PUBLISH_EVERY_MS = 2000;

/** What both stacks offer the herd. */
interface HerdStack {
  readonly base: string;
  start(): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  ingest(events: ReturnType<typeof fixtureEvents>): Promise<Response>;
}

const r0 = (x: number) => Math.round(x);

/** Counts per bucket of `width` ms since `from`; the peak bucket. */
function peak(times: number[], from: number, width: number): number {
  const buckets = new Map<number, number>();
  for (const t of times) {
    if (t < from) continue;
    const b = Math.floor((t - from) / width);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  return Math.max(0, ...buckets.values());
}

/** Counts per second since `from`, up to the last time (the shape of a wave). */
function perSecond(times: number[], from: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    if (!Number.isFinite(t) || t < from) continue;
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
  readonly seated: number[];

  constructor(readonly children: ChildProcess[]) {
    this.holding = children.map(() => 0);
    this.seated = children.map(() => 0);
    children.forEach((child, i) => {
      this.inbox[i] = [];
      child.on("message", (m: FromHerd) => {
        if (m.event === "progress") {
          this.holding[i] = m.holding;
          this.seated[i] = m.seated;
        }
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

  sendAll(msg: (i: number) => ToHerd): void {
    this.children.forEach((_, i) => {
      this.send(i, msg(i));
    });
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

  total(of: "holding" | "seated"): number {
    return this[of].reduce((a, b) => a + b, 0);
  }

  /** Resolves when every viewer holds the aimed version, or at `until` (nowMs); prints progress. */
  async converge(n: number, until: number, label: string): Promise<boolean> {
    let lastLine = nowMs();
    while (this.total("holding") < n && nowMs() < until) {
      await sleep(100);
      if (nowMs() - lastLine >= 5000) {
        lastLine = nowMs();
        console.error(
          `herd ${label}: ${this.total("seated")} seated, ${this.total("holding")} of ${n} on the newest`,
        );
      }
    }
    return this.total("holding") >= n;
  }

  /** Every child's report, merged. */
  async report(): Promise<{
    log: HerdLog;
    seatedAt: number[];
    heldAt: number[];
    closedForGood: number;
    gaveUp: number;
  }> {
    this.clear();
    this.sendAll(() => ({ cmd: "report" }));
    const reports = await this.take(is("report"), 30_000);
    const merged = {
      log: newHerdLog(),
      seatedAt: [] as number[],
      heldAt: [] as number[],
      closedForGood: 0,
      gaveUp: 0,
    };
    for (const r of reports) {
      if (!r) throw new Error("herd: a viewer process did not report");
      for (const k of Object.keys(merged.log) as (keyof HerdLog)[]) merged.log[k].push(...r.log[k]);
      merged.seatedAt.push(...r.seatedAt);
      merged.heldAt.push(...r.heldAt);
      merged.closedForGood += r.closedForGood;
      merged.gaveUp += r.gaveUp;
    }
    return merged;
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
  <E extends FromHerd["event"]>(event: E) =>
  (m: FromHerd): m is Extract<FromHerd, { event: E }> =>
    m.event === event;

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
  vars: Record<string, string>;
  convergeMs: number;
  seatWindowMs: number;
  tossWindowMs: number;
}

/** What every herd reports about the connection attempts of its measured phase. */
function attemptsOf(log: HerdLog, from: number) {
  return {
    attempts: log.attempts.length,
    accepted: log.accepted.length,
    refusedWithHint: log.refused.length,
    failedNoHint: log.failed.length,
    /** Connections the library gave up on (no frame for 12 s). */
    abandoned: log.gaveUp.length,
    peakAcceptedPer100ms: peak(log.accepted, from, 100),
    peakAcceptedPerSecond: peak(log.accepted, from, 1000),
    attemptsBySecond: perSecond(log.attempts, from),
    acceptedBySecond: perSecond(log.accepted, from),
  };
}

/** Starts a stack and the viewer processes, runs `body`, and takes both down whatever happens. */
async function withHerd<T>(o: RunOptions, body: (stack: HerdStack, herd: Herd) => Promise<T>): Promise<T> {
  const stack: HerdStack =
    o.runtime === "wrangler"
      ? new LocalStack(await freePort(), tempStateDir(), { vars: o.vars })
      : new MiniflareStack({ vars: o.vars });
  const herd = Herd.fork(o.processes);
  const unregister = onCleanup(async () => {
    await herd.stop();
    await stack.stop();
  });
  try {
    const [, ready] = await Promise.all([stack.start(), herd.take(is("ready"), 60_000)]);
    if (ready.some((r) => !r)) throw new Error("herd: a viewer process did not start");
    return await body(stack, herd);
  } finally {
    unregister();
    herd.sendAll(() => ({ cmd: "stop" }));
    await herd.stop();
    await stack.stop().catch(() => undefined);
  }
}

function shares(o: RunOptions): number[] {
  return Array.from(
    { length: o.processes },
    (_, i) => Math.floor(o.clients / o.processes) + (i < o.clients % o.processes ? 1 : 0),
  );
}

async function ingestOne(stack: HerdStack, events: ReturnType<typeof fixtureEvents>, i: number) {
  const res = await stack.ingest(events.slice(i, i + 1));
  await res.body?.cancel();
  if (!res.ok) throw new Error(`ingest of event ${i} answered ${res.status}`);
  return events[i]?.seq as number;
}

/**
 * As a provider does under a herd: a POST that fails (a reset while workerd's accept queue
 * overflows, a 5xx, no answer within 5 s) is sent again, 500 ms later, until `until` (nowMs);
 * publishing is idempotent.
 * Returns the seq, or null if it never went through, and the failures it saw.
 */
async function ingestRetrying(
  stack: HerdStack,
  events: ReturnType<typeof fixtureEvents>,
  i: number,
  until: number,
): Promise<{ seq: number | null; errors: string[] }> {
  const errors: string[] = [];
  for (;;) {
    try {
      // A POST stuck behind a full accept queue is given up on after 5 s and sent again.
      const attempt = ingestOne(stack, events, i);
      attempt.catch(() => undefined);
      const stuck = sleep(Math.max(0, Math.min(5000, until - nowMs()))).then(() => {
        throw new Error("no answer within 5 s");
      });
      return { seq: await Promise.race([attempt, stuck]), errors };
    } catch (error) {
      errors.push(String(error instanceof Error ? (error.cause ?? error.message) : error));
      if (nowMs() + 500 > until) return { seq: null, errors };
      await sleep(500);
    }
  }
}

/** The reconnect herd: seat N, kill -9, restart, one new version; until every viewer holds it. */
function runReconnect(o: RunOptions) {
  return withHerd(o, async (stack, herd) => {
    const N = o.clients;
    const events = fixtureEvents(`herd-reconnect-${Date.now()}`);
    const matchId = events[0]?.matchId as string;
    const seq0 = await ingestOne(stack, events, 0);
    const base = stack.base.replace("http", "ws");
    const tSeat = nowMs() + 300;
    const share = shares(o);
    herd.sendAll((i) => ({
      cmd: "connect",
      base,
      matchId,
      count: share[i] ?? 0,
      seq: seq0,
      startAt: tSeat,
      windowMs: o.seatWindowMs,
    }));
    await herd.converge(N, tSeat + o.seatWindowMs + o.convergeMs, "reconnect, seating");
    const seatedBeforeKill = herd.total("holding");
    const seatingMs = r0(nowMs() - tSeat);
    console.error(`herd reconnect: ${seatedBeforeKill} of ${N} seated in ${seatingMs} ms; kill -9`);
    await sleep(1000);

    const seq1 = events[1]?.seq as number;
    herd.clear();
    herd.sendAll(() => ({ cmd: "aim", seq: seq1 }));
    if ((await herd.take(is("aimed"), 10_000)).some((m) => !m))
      throw new Error("herd: a process did not aim");
    const tKill = nowMs();
    await stack.kill9();
    const tKilled = nowMs();
    const answered = firstAnswer(stack.base, tKilled + 120_000);
    await stack.start();
    const tUp = (await answered) ?? nowMs();
    const posted = await ingestRetrying(stack, events, 1, tUp + o.convergeMs);
    const tAck = nowMs();
    const converged = posted.seq !== null && (await herd.converge(N, tUp + o.convergeMs, "reconnect"));
    const r = await herd.report();
    const held = r.heldAt.filter(Number.isFinite);
    const toNewest = held.map((t) => t - tUp).sort((x, y) => x - y);
    const last = Math.max(...held);
    return {
      clients: N,
      /** From the stack answering again until every viewer held the new version; null if some never did. */
      convergedMs: converged ? r0(last - tUp) : null,
      /** Viewers whose library gave up on at least one connection after the kill. */
      gaveUp: r.gaveUp,
      /** Viewers not on the new version when the bound ran out. */
      unconverged: N - held.length,
      closedForGood: r.closedForGood,
      withinGoal: converged && last - tUp <= RECONNECT_GOAL_MS,
      boundMs: o.convergeMs,
      seatedBeforeKill,
      seatingMs,
      killMs: r0(tKilled - tKill),
      restartMs: r0(tUp - tKilled),
      ingestAfterRestartMs: r0(tAck - tUp),
      /** Failed POSTs of the new version before one went through (or all of them, if none did). */
      publishErrors: posted.errors,
      /** Per viewer, from answering to holding the new version (those that did). */
      toNewestMs: { p50: pct(toNewest, 50), p95: pct(toNewest, 95), max: pct(toNewest, 100) },
      attemptsWhileDown: r.log.attempts.filter((t) => t < tUp).length,
      convergedBySecond: perSecond(held, tUp),
      ...attemptsOf(r.log, tUp),
    };
  });
}

/** The toss herd: N new viewers within the window on a live match; until all hold the newest version. */
function runToss(o: RunOptions) {
  return withHerd(o, async (stack, herd) => {
    const N = o.clients;
    const events = fixtureEvents(`herd-toss-${Date.now()}`);
    const matchId = events[0]?.matchId as string;
    await ingestOne(stack, events, 0);
    // The match goes on while they arrive: a version every 2 s of the window, the last one the newest.
    const versions = Math.max(1, Math.floor(o.tossWindowMs / TOSS_PUBLISH_EVERY_MS));
    const newest = events[versions]?.seq as number;
    const base = stack.base.replace("http", "ws");
    const t0 = nowMs() + 300;
    const share = shares(o);
    herd.sendAll((i) => ({
      cmd: "connect",
      base,
      matchId,
      count: share[i] ?? 0,
      seq: newest,
      startAt: t0,
      windowMs: o.tossWindowMs,
    }));
    const bound = t0 + o.tossWindowMs + o.convergeMs;
    const published: Array<number | null> = [];
    const publishErrors: string[] = [];
    for (let k = 1; k <= versions; k++) {
      await sleep(t0 + (k - 1) * TOSS_PUBLISH_EVERY_MS + TOSS_PUBLISH_EVERY_MS / 2 - nowMs());
      const tPost = nowMs();
      const posted = await ingestRetrying(stack, events, k, bound);
      publishErrors.push(...posted.errors);
      published.push(posted.seq === null ? null : r0(nowMs() - tPost));
      // A version that never went through: the newest cannot arrive, and the herd says so.
      if (posted.seq === null) break;
    }
    const converged = published.every((p) => p !== null) && (await herd.converge(N, bound, "toss"));
    const r = await herd.report();
    const held = r.heldAt.filter(Number.isFinite);
    const seated = r.seatedAt.filter(Number.isFinite);
    const last = Math.max(...held);
    return {
      clients: N,
      /** From the first arrival until every viewer was seated and on the newest version; null if some never were. */
      seatedMs: converged ? r0(last - t0) : null,
      /** Viewers whose library gave up on at least one connection. */
      gaveUp: r.gaveUp,
      /** Viewers first seated (any version) in each second from the first arrival. */
      seatedPerSecond: perSecond(seated, t0),
      /** Viewers first on the newest version in each second from the first arrival. */
      newestPerSecond: perSecond(held, t0),
      unconverged: N - held.length,
      unseated: N - seated.length,
      closedForGood: r.closedForGood,
      withinGoal: converged && last - t0 <= TOSS_GOAL_MS,
      boundMs: o.tossWindowMs + o.convergeMs,
      arrivalWindowMs: o.tossWindowMs,
      allSeatedMs: seated.length === N ? r0(Math.max(...seated) - t0) : null,
      versionsDuringToss: versions,
      /** Each publish's POST → 2xx while the viewers arrived, retries included (null: never went through). */
      publishAckMs: published,
      /** Failed POSTs (retried every 500 ms): resets and 5xx while the herd arrived. */
      publishErrors,
      ...attemptsOf(r.log, t0),
    };
  });
}

export type ReconnectResult = Awaited<ReturnType<typeof runReconnect>>;
export type TossResult = Awaited<ReturnType<typeof runToss>>;

export interface HerdOptions {
  /** Viewers: 1 to 2,500 under wrangler dev (its proxy), up to 12,000 under Miniflare (default 10,000). */
  clients?: number;
  /** Which herds (default both, reconnect then toss). */
  only?: HerdKind[];
  /** Seconds to wait for every viewer to converge, per herd, after the stack answers or the arrivals end (default 60). */
  timeoutSeconds?: number;
  /** `miniflare` (default): workerd alone; `wrangler`: `wrangler dev` with its proxy. */
  runtime?: HerdRuntime;
  /** Child processes the viewers are spread over (default: one per 2,500). */
  processes?: number;
  /** Values for the stack (like `--var NAME:VALUE`). */
  vars?: Record<string, string>;
  /** The reconnect herd's seating before the kill, seconds (default N ÷ 200). */
  seatWindowSeconds?: number;
  /** The toss's arrival window, seconds (default 10). */
  tossWindowSeconds?: number;
}

export interface HerdResult {
  clients: number;
  runtime: HerdRuntime;
  processes: number;
  vars: Record<string, string>;
  date: string;
  node: string;
  reconnect: ReconnectResult | null;
  toss: TossResult | null;
  /** Some viewer was not on the newest version when its herd's bound ran out. */
  incomplete: boolean;
}

export async function runHerd(opts: HerdOptions = {}): Promise<HerdResult> {
  const N = opts.clients ?? 10_000;
  const runtime = opts.runtime ?? "miniflare";
  if (!HERD_RUNTIMES.includes(runtime)) throw new Error(`--runtime: ${HERD_RUNTIMES.join(" or ")}`);
  const max = runtime === "wrangler" ? 2500 : 12_000;
  if (!Number.isInteger(N) || N < 1 || N > max)
    throw new Error(
      runtime === "wrangler"
        ? "--clients: 1 to 2,500 under wrangler dev (its proxy); use --runtime miniflare for more"
        : "--clients: 1 to 12,000 under Miniflare (workerd's file descriptors)",
    );
  const processes = opts.processes ?? Math.ceil(N / 2500);
  if (!Number.isInteger(processes) || processes < 1 || processes > N || N / processes > PER_PROCESS)
    throw new Error(`--processes: 1 to --clients, at most ${PER_PROCESS} viewers each`);
  const kinds = opts.only?.length ? opts.only : HERD_KINDS;
  for (const k of kinds) if (!HERD_KINDS.includes(k)) throw new Error(`--only: ${HERD_KINDS.join(", ")}`);
  const o: RunOptions = {
    clients: N,
    processes,
    runtime,
    vars: opts.vars ?? {},
    convergeMs: (opts.timeoutSeconds ?? 60) * 1000,
    seatWindowMs: (opts.seatWindowSeconds ?? Math.max(1, N / 200)) * 1000,
    tossWindowMs: (opts.tossWindowSeconds ?? 10) * 1000,
  };
  const reconnect = kinds.includes("reconnect") ? await runReconnect(o) : null;
  if (reconnect) console.error(`herd reconnect: ${JSON.stringify(reconnect)}`);
  const toss = kinds.includes("toss") ? await runToss(o) : null;
  if (toss) console.error(`herd toss: ${JSON.stringify(toss)}`);
  return {
    clients: N,
    runtime,
    processes,
    vars: o.vars,
    date: new Date().toISOString(),
    node: process.version,
    reconnect,
    toss,
    incomplete: reconnect?.convergedMs === null || toss?.seatedMs === null,
  };
}

/** The result as Markdown tables (times in ms). */
export function herdMarkdown(h: HerdResult): string {
  const cell = (x: number | null | undefined) => (x == null ? "not converged" : x.toLocaleString("en"));
  const where = h.runtime === "miniflare" ? "Miniflare (workerd, no proxy)" : "wrangler dev";
  const vars = Object.entries(h.vars).map(([k, v]) => `${k}=${v}`);
  const lines = [
    `${h.clients.toLocaleString("en")} viewers of the client library over ${h.processes} process(es), Crease on ${where}${vars.length ? ` with ${vars.join(", ")}` : ""}; times in ms. Gave up: viewers whose library abandoned at least one connection (no frame for 12 s).`,
    "",
  ];
  const c = h.reconnect;
  if (c)
    lines.push(
      `Reconnect (goal: all on the newest within ${RECONNECT_GOAL_MS.toLocaleString("en")} ms of answering, none gives up):`,
      "",
      "| seated before kill | restart took | all newest, from answering | per viewer p50 / p95 / max | gave up | unconverged | attempts (while down) | abandoned | refused w/ hint | failed no hint | peak accepted /s |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      `| ${c.seatedBeforeKill} | ${c.restartMs} | ${cell(c.convergedMs)} | ${cell(c.toNewestMs.p50)} / ${cell(c.toNewestMs.p95)} / ${cell(c.toNewestMs.max)} | ${c.gaveUp} | ${c.unconverged} | ${c.attempts} (${c.attemptsWhileDown}) | ${c.abandoned} | ${c.refusedWithHint} | ${c.failedNoHint} | ${c.peakAcceptedPerSecond} |`,
      "",
      `- per second from answering: on the newest ${c.convergedBySecond.slice(0, 60).join(", ")}; attempts ${c.attemptsBySecond.slice(0, 60).join(", ")}`,
      "",
    );
  const t = h.toss;
  if (t)
    lines.push(
      `Toss (goal: all seated and on the newest within ${TOSS_GOAL_MS.toLocaleString("en")} ms, none gives up; ${t.versionsDuringToss} versions published during the ${t.arrivalWindowMs / 1000} s of arrivals):`,
      "",
      "| all seated | all on the newest | gave up | unseated | unconverged | attempts | abandoned | refused w/ hint | failed no hint | peak accepted /s | publish 2xx ms |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      `| ${cell(t.allSeatedMs)} | ${cell(t.seatedMs)} | ${t.gaveUp} | ${t.unseated} | ${t.unconverged} | ${t.attempts} | ${t.abandoned} | ${t.refusedWithHint} | ${t.failedNoHint} | ${t.peakAcceptedPerSecond} | ${t.publishAckMs.join(", ")} |`,
      "",
      `- seated per second from the first arrival: ${t.seatedPerSecond.slice(0, 60).join(", ")}`,
      `- on the newest per second: ${t.newestPerSecond.slice(0, 60).join(", ")}`,
    );
  return lines.join("\n");
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "10000" },
      only: { type: "string" },
      timeout: { type: "string", default: "60" },
      runtime: { type: "string", default: "miniflare" },
      processes: { type: "string" },
      var: { type: "string", multiple: true },
      "seat-window": { type: "string" },
      "toss-window": { type: "string", default: "10" },
    },
  });
  guardCli("herd", 1_200_000);
  const vars: Record<string, string> = {};
  for (const v of values.var ?? []) {
    const at = v.indexOf("=");
    if (at < 1) throw new Error(`--var ${v}: NAME=VALUE`);
    vars[v.slice(0, at)] = v.slice(at + 1);
  }
  let h: HerdResult;
  try {
    h = await runHerd({
      clients: Number(values.clients),
      only: values.only?.split(",") as HerdKind[] | undefined,
      timeoutSeconds: Number(values.timeout),
      runtime: values.runtime as HerdRuntime,
      processes: values.processes ? Number(values.processes) : undefined,
      vars,
      seatWindowSeconds: values["seat-window"] ? Number(values["seat-window"]) : undefined,
      tossWindowSeconds: Number(values["toss-window"]),
    });
  } finally {
    await cleanupAll();
  }
  console.error(`\n${herdMarkdown(h)}`);
  // The last line: the issue's figures lead each object (clients, the time, gaveUp), then the rest.
  console.log(JSON.stringify({ reconnect: h.reconnect, toss: h.toss }));
  process.exit(h.incomplete ? 1 : 0);
}
