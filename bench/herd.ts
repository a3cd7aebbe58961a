/**
 * The herd (issue 7): N raw WebSocket clients connect within one second; then the whole local
 * runtime is killed (kill -9), restarted, and one new version is posted, and every client comes
 * back the way the client library does (full jitter, base 500 ms, max 30 s, resuming from its
 * seq, a server `retry` hint honoured). Measures: time until all hold a snapshot; after the
 * kill, time until every client holds the latest seq; the peak reconnect rate (per 100 ms and
 * per second); how many attempts were refused with a retry hint (1013 + `retry`).
 *
 *   npx tsx bench/herd.ts                      1,000 clients, default admission, then 200/s
 *   npx tsx bench/herd.ts --clients 500 --only admit
 *
 * Two variants, each on a fresh stack: `default` (the room's admission bucket at its defaults,
 * 1,000/s, burst 1,000) and `admit` (ROOM_ADMIT_PER_SECOND 200, ROOM_ADMIT_BURST 200), which
 * shows admission control spreading the wave. Loopback only; stops by itself after 8 minutes.
 * Also run by the full mode of `npm run bench` (runHerd).
 */
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { fullJitterDelay } from "../client/index.ts";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { cleanupAll, guardCli, isMain, onCleanup } from "./cleanup.ts";
import { fixtureEvents, sleep } from "./herd/procs.ts";

const BACKOFF = { baseMs: 500, maxMs: 30_000 };
/** The client library's: an attempt counter resets after a connection stayed in sync this long. */
const HEALTHY_AFTER_MS = 12_000;

interface Variant {
  name: string;
  vars: Record<string, string>;
}
export const HERD_VARIANTS: Variant[] = [
  { name: "default", vars: {} },
  { name: "admit", vars: { ROOM_ADMIT_PER_SECOND: "200", ROOM_ADMIT_BURST: "200" } },
];

/** Every connection attempt and its outcome, timestamped (performance.now()). */
interface Log {
  attempts: number[];
  /** Accepted: the first frame was a snapshot or a (resumed) patch, not a refusal. */
  accepted: number[];
  refused: number[];
  /** Failed without a hint (connection refused while the runtime is down, 1006, …). */
  failed: number[];
}
const newLog = (): Log => ({ attempts: [], accepted: [], refused: [], failed: [] });

/** A raw client that reconnects like client/live-subscription.ts. */
class Client {
  seq: number | null = null;
  epoch: string | null = null;
  syncedAt: number | null = null;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryAfterMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  log: Log = newLog();

  constructor(
    private readonly base: string,
    private readonly matchId: string,
    private readonly onSeq: (c: Client) => void,
  ) {}

  connect(): void {
    if (this.stopped) return;
    this.timer = null;
    const url = new URL(`${this.base}/v1/matches/${this.matchId}/ws`);
    url.searchParams.set("region", "weur");
    if (this.seq !== null && this.epoch !== null) {
      url.searchParams.set("since", String(this.seq));
      url.searchParams.set("epoch", this.epoch);
    }
    this.retryAfterMs = null;
    this.syncedAt = null;
    let first = true;
    let refusedHint = false;
    this.log.attempts.push(performance.now());
    const ws = new WebSocket(url, ["crease.v1"], { perMessageDeflate: false });
    this.ws = ws;
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as {
        type: string;
        seq?: number;
        epoch?: string;
        afterMs?: number;
      };
      if (m.type === "retry") {
        this.retryAfterMs = m.afterMs ?? null;
        refusedHint = true;
        return;
      }
      if ((m.type === "snapshot" || m.type === "patch" || m.type === "delta") && typeof m.seq === "number") {
        if (first) this.log.accepted.push(performance.now());
        first = false;
        if (m.type === "snapshot" && m.epoch) this.epoch = m.epoch;
        if (this.seq === null || m.seq > this.seq) this.seq = m.seq;
        this.syncedAt ??= performance.now();
        this.onSeq(this);
      }
    });
    ws.on("error", () => undefined); // the close that follows decides
    ws.on("close", (code) => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      if (first) (code === 1013 && refusedHint ? this.log.refused : this.log.failed).push(performance.now());
      if (this.syncedAt !== null && performance.now() - this.syncedAt >= HEALTHY_AFTER_MS) this.attempt = 0;
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
}

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

const within = (times: number[], from: number) => times.filter((t) => t >= from).length;
const r0 = (x: number) => Math.round(x);

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

async function runVariant(v: Variant, N: number, convergeMs: number) {
  const port = await freePort();
  const stack = new LocalStack(port, tempStateDir(), { vars: v.vars });
  let clients: Client[] = [];
  const unregister = onCleanup(async () => {
    for (const c of clients) c.stop();
    await stack.stop();
  });
  try {
    return await measure();
  } finally {
    unregister();
    for (const c of clients) c.stop();
    await stack.stop().catch(() => undefined);
  }

  async function measure() {
    await stack.start();
    const matchId = `herd-${v.name}-${Date.now()}`;
    const events = fixtureEvents(matchId);
    const ingest = async (i: number) => {
      const res = await stack.ingest(events.slice(i, i + 1));
      await res.body?.cancel();
      if (!res.ok) throw new Error(`ingest ${i} answered ${res.status}`);
      return events[i]?.seq as number;
    };
    await ingest(0);

    // (a) N clients, each starting at a uniform random moment within one second.
    let target = -1;
    let holding = 0;
    const onSeq = (c: Client) => {
      if (c.seq === target && !counted.has(c)) {
        counted.add(c);
        holding++;
      }
    };
    let counted = new Set<Client>();
    const base = `ws://127.0.0.1:${port}`;
    clients = Array.from({ length: N }, () => new Client(base, matchId, onSeq));
    target = events[0]?.seq as number;
    const tA = performance.now();
    for (const c of clients) setTimeout(() => c.connect(), Math.random() * 1000);
    const okA = await waitFor(() => holding === N, convergeMs);
    const connectMs = performance.now() - tA;
    const logsA = clients.map((c) => c.log);
    const a = {
      allSnapshotMs: okA ? r0(connectMs) : null,
      holding,
      refused: logsA.reduce((n, l) => n + l.refused.length, 0),
      peakAcceptedPer100ms: peak(
        logsA.flatMap((l) => l.accepted),
        tA,
        100,
      ),
    };
    console.error(`herd ${v.name}: (a) ${JSON.stringify(a)}`);
    await sleep(1000);

    // (b) kill -9 the runtime, restart it, post one new version.
    for (const c of clients) c.log = newLog();
    const tKill = performance.now();
    await stack.kill9();
    const tKilled = performance.now();
    await stack.start();
    const tUp = performance.now();
    counted = new Set();
    holding = 0;
    target = await ingest(1);
    const tAck = performance.now();
    for (const c of clients) onSeq(c);
    const okB = await waitFor(() => holding === N, convergeMs);
    const tDone = performance.now();
    const logs = clients.map((c) => c.log);
    const attempts = logs.flatMap((l) => l.attempts);
    const accepted = logs.flatMap((l) => l.accepted);
    const refused = logs.flatMap((l) => l.refused);
    const failed = logs.flatMap((l) => l.failed);
    const b = {
      killMs: r0(tKilled - tKill),
      restartMs: r0(tUp - tKilled),
      ingestAfterRestartMs: r0(tAck - tUp),
      latestSeq: target,
      allLatestFromKillMs: okB ? r0(tDone - tKill) : null,
      allLatestFromRestartMs: okB ? r0(tDone - tUp) : null,
      allLatestFromAckMs: okB ? r0(tDone - tAck) : null,
      holding,
      attempts: attempts.length,
      attemptsWhileDown: attempts.filter((t) => t < tUp).length,
      accepted: accepted.length,
      refusedWithHint: refused.length,
      failedNoHint: failed.length,
      peakAcceptedPer100ms: peak(accepted, tUp, 100),
      peakAcceptedPerSecond: peak(accepted, tUp, 1000),
      peakAttemptsPer100msAfterRestart: peak(attempts, tUp, 100),
      acceptedFirstSecondAfterRestart: within(
        accepted.filter((t) => t < tUp + 1000),
        tUp,
      ),
    };
    console.error(`herd ${v.name}: (b) ${JSON.stringify(b)}`);
    return { variant: v.name, vars: v.vars, connect: a, restart: b };
  }
}

export type HerdVariantResult = Awaited<ReturnType<typeof runVariant>>;

export interface HerdOptions {
  /** Clients, 1 to 2,500 (default 1,000). */
  clients?: number;
  /** Variant names to run (default: all, `default` then `admit`). */
  only?: string[];
  /** Seconds to wait for every client to converge, per phase (default 120). */
  timeoutSeconds?: number;
}

export interface HerdResult {
  clients: number;
  date: string;
  node: string;
  results: HerdVariantResult[];
  /** Some client never held the snapshot or the latest seq within the timeout. */
  incomplete: boolean;
}

export async function runHerd(opts: HerdOptions = {}): Promise<HerdResult> {
  const N = opts.clients ?? 1000;
  if (!Number.isInteger(N) || N < 1 || N > 2500)
    throw new Error("--clients: 1 to 2,500 (wrangler dev's proxy)");
  const convergeMs = (opts.timeoutSeconds ?? 120) * 1000;
  const variants = HERD_VARIANTS.filter((v) => !opts.only?.length || opts.only.includes(v.name));
  const results: HerdVariantResult[] = [];
  for (const v of variants) results.push(await runVariant(v, N, convergeMs));
  const incomplete = results.some(
    (r) => r.connect.allSnapshotMs === null || r.restart.allLatestFromKillMs === null,
  );
  return { clients: N, date: new Date().toISOString(), node: process.version, results, incomplete };
}

/** The result as a Markdown table (times in ms). */
export function herdMarkdown(h: HerdResult): string {
  const cell = (x: number | null) => (x === null ? "timeout" : x.toLocaleString("en"));
  return [
    `${h.clients} clients; full jitter 500 ms – 30 s; times in ms`,
    "",
    "| variant | (a) all hold snapshot | (a) refused | restart took | all latest, from kill | from restart | from 2xx | attempts (while down) | peak accepted /100 ms | /s | refused w/ hint | failed no hint |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...h.results.map(
      (r) =>
        `| ${r.variant} | ${cell(r.connect.allSnapshotMs)} | ${r.connect.refused} | ${cell(r.restart.restartMs)} | ${cell(r.restart.allLatestFromKillMs)} | ${cell(r.restart.allLatestFromRestartMs)} | ${cell(r.restart.allLatestFromAckMs)} | ${r.restart.attempts} (${r.restart.attemptsWhileDown}) | ${r.restart.peakAcceptedPer100ms} | ${r.restart.peakAcceptedPerSecond} | ${r.restart.refusedWithHint} | ${r.restart.failedNoHint} |`,
    ),
  ].join("\n");
}

if (isMain(import.meta.url)) {
  guardCli("herd", 480_000);
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "1000" },
      only: { type: "string" },
      timeout: { type: "string", default: "120" },
    },
  });
  let h: HerdResult;
  try {
    h = await runHerd({
      clients: Number(values.clients),
      only: values.only?.split(","),
      timeoutSeconds: Number(values.timeout),
    });
  } finally {
    await cleanupAll();
  }
  console.error(`\n${herdMarkdown(h)}`);
  const { incomplete, ...line } = h;
  console.log(JSON.stringify(line));
  process.exit(incomplete ? 1 : 0);
}
