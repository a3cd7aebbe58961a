/**
 * Memory per idle connection (issue 7): resident memory of the server with N idle subscribers
 * connected (each after its first frame), minus the same server with none, divided by N.
 *
 *   npx tsx bench/idle-memory.ts                 2,000 sockets
 *   npx tsx bench/idle-memory.ts --sockets 500
 *
 * Crease: the local stack (`wrangler dev`, fresh state) with one match ingested; memory is
 * VmRSS summed over the workerd processes this run started, with wrangler dev's proxy (the
 * workerd listening on the public port) reported apart from the runtime that runs Crease, and
 * wrangler's own Node process apart again. Baseline: bench/fanout/ws-server.ts in its own Node
 * process, same clients. Loopback only; stops by itself after 5 minutes. Also run by the full
 * mode of `npm run bench` (runIdleMemory).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { cleanupAll, guardCli, isMain, onCleanup } from "./cleanup.ts";
import { descendants, fixtureEvents, listenersOn, mib, type Proc, sleep } from "./herd/procs.ts";

interface Kinds {
  runtime: number;
  proxy: number;
  wrangler: number;
}

export interface IdleMemoryResult {
  sockets: number;
  crease: {
    runtimeBytesPerSocket: number;
    proxyBytesPerSocket: number;
    wranglerBytesPerSocket: number;
    runtimeMiB: { idle0: number; idleN: number };
    proxyMiB: { idle0: number; idleN: number };
    wranglerMiB: { idle0: number; idleN: number };
    connectMs: number;
  };
  ws: { bytesPerSocket: number; MiB: { idle0: number; idleN: number } };
  ratio: { runtimeVsWs: number; runtimePlusProxyVsWs: number };
  machine: { date: string; node: string };
  /** Raw VmRSS bytes, for the Markdown table. */
  rss: { crease0: Kinds; creaseN: Kinds; ws0: number; wsN: number };
}

/** Median of three samples a second apart, after letting the server settle. */
async function sample(read: () => number): Promise<number> {
  await sleep(3000);
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    xs.push(read());
    await sleep(1000);
  }
  return xs.sort((a, b) => a - b)[1] as number;
}

/**
 * Idle memory per socket, Crease against a plain `ws` server. Counts the processes this Node
 * process started, so run it with no other children alive (npm run bench waits for its
 * subscriber processes to exit first).
 */
export async function runIdleMemory(opts: { sockets?: number } = {}): Promise<IdleMemoryResult> {
  const N = opts.sockets ?? 2000;
  if (!Number.isInteger(N) || N < 1 || N > 2500)
    throw new Error("--sockets: 1 to 2,500 (wrangler dev's proxy)");

  let stack: LocalStack | null = null;
  let wsChild: ChildProcess | null = null;
  const sockets: WebSocket[] = [];
  const cleanup = async () => {
    for (const s of sockets.splice(0)) s.terminate();
    wsChild?.kill("SIGTERM");
    wsChild = null;
    await stack?.stop().catch(() => undefined);
    stack = null;
  };
  const unregister = onCleanup(cleanup);

  /** Opens `count` sockets, 50 at a time; each resolves at its first frame. */
  async function connect(url: string, protocols: string[], count: number): Promise<void> {
    let next = 0;
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
        const timer = setTimeout(() => reject(new Error("no first frame within 30 s")), 30_000);
        ws.once("message", () => {
          clearTimeout(timer);
          resolve();
        });
        ws.once("error", reject);
        ws.once("close", (code) => reject(new Error(`closed ${code} before its first frame`)));
        sockets.push(ws);
      });
    const worker = async () => {
      while (next < count) {
        next++;
        await one();
      }
    };
    await Promise.all(Array.from({ length: Math.min(50, count) }, worker));
  }
  const closeAll = async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await sleep(500);
  };

  try {
    // ---- Crease -------------------------------------------------------------------------------
    const port = await freePort();
    const creaseStack = new LocalStack(port, tempStateDir());
    stack = creaseStack;
    await creaseStack.start();
    const matchId = `idle-${Date.now()}`;
    const events = fixtureEvents(matchId);
    const res = await creaseStack.ingest(events.slice(0, 1));
    await res.body?.cancel();
    if (!res.ok) throw new Error(`ingest answered ${res.status}`);
    const url = `ws://127.0.0.1:${port}/v1/matches/${matchId}/ws?region=weur`;

    const tree = descendants();
    const workerds = tree.filter((p) => p.name === "workerd");
    const proxyPids = listenersOn(port, workerds);
    const kinds = (procs: Proc[]): Kinds => {
      const now = new Map(procs.map((p) => [p.pid, p]));
      const rss = (pids: number[]) => pids.reduce((n, pid) => n + (now.get(pid)?.rssBytes ?? 0), 0);
      const runtime = workerds.filter((p) => !proxyPids.has(p.pid)).map((p) => p.pid);
      return {
        runtime: rss(runtime),
        proxy: rss([...proxyPids]),
        wrangler: rss(tree.filter((p) => p.name !== "workerd").map((p) => p.pid)),
      };
    };
    console.error(
      `idle-memory: stack on ${port}: ${tree.map((p) => `${p.pid} ${p.name}${proxyPids.has(p.pid) ? " (proxy)" : ""} ${mib(p.rssBytes)} MiB`).join(", ")}`,
    );

    // A warm-up viewer, so the room exists and its code is loaded in the 0-subscriber figure.
    await connect(url, ["crease.v1"], 1);
    await closeAll();
    const c0 = await sample(() => 0).then(() => kinds(descendants()));
    const t0 = performance.now();
    await connect(url, ["crease.v1"], N);
    const creaseConnectMs = Math.round(performance.now() - t0);
    const cN = await sample(() => 0).then(() => kinds(descendants()));
    await closeAll();
    await creaseStack.stop();
    stack = null;

    // ---- ws baseline --------------------------------------------------------------------------
    const child = fork(join(import.meta.dirname, "fanout", "ws-server.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: "inherit",
    });
    wsChild = child;
    const wsPort = await new Promise<number>((resolve, reject) => {
      child.once("message", (m: { port: number }) => resolve(m.port));
      child.once("exit", (code) => reject(new Error(`ws-server exited with ${code}`)));
    });
    const wsRss = () => descendants().find((p) => p.pid === child.pid)?.rssBytes ?? 0;
    const wsUrl = `ws://127.0.0.1:${wsPort}/`;
    await connect(wsUrl, [], 1);
    await closeAll();
    const w0 = await sample(wsRss);
    await connect(wsUrl, [], N);
    const wN = await sample(wsRss);
    await closeAll();
    child.kill("SIGTERM");
    wsChild = null;

    // ---- result -------------------------------------------------------------------------------
    const per = (after: number, before: number) => Math.round((after - before) / N);
    return {
      sockets: N,
      crease: {
        runtimeBytesPerSocket: per(cN.runtime, c0.runtime),
        proxyBytesPerSocket: per(cN.proxy, c0.proxy),
        wranglerBytesPerSocket: per(cN.wrangler, c0.wrangler),
        runtimeMiB: { idle0: mib(c0.runtime), idleN: mib(cN.runtime) },
        proxyMiB: { idle0: mib(c0.proxy), idleN: mib(cN.proxy) },
        wranglerMiB: { idle0: mib(c0.wrangler), idleN: mib(cN.wrangler) },
        connectMs: creaseConnectMs,
      },
      ws: { bytesPerSocket: per(wN, w0), MiB: { idle0: mib(w0), idleN: mib(wN) } },
      ratio: {
        runtimeVsWs: Math.round((per(cN.runtime, c0.runtime) / Math.max(1, per(wN, w0))) * 100) / 100,
        runtimePlusProxyVsWs:
          Math.round(
            ((per(cN.runtime, c0.runtime) + per(cN.proxy, c0.proxy)) / Math.max(1, per(wN, w0))) * 100,
          ) / 100,
      },
      machine: { date: new Date().toISOString(), node: process.version },
      rss: { crease0: c0, creaseN: cN, ws0: w0, wsN: wN },
    };
  } finally {
    unregister();
    await cleanup();
  }
}

/** The result as a Markdown table (VmRSS; median of 3 samples). */
export function idleMemoryMarkdown(r: IdleMemoryResult): string {
  const per = (after: number, before: number) => Math.round((after - before) / r.sockets);
  const row = (name: string, a: number, b: number) =>
    `| ${name} | ${mib(a)} | ${mib(b)} | ${per(b, a).toLocaleString("en")} |`;
  const { crease0: c0, creaseN: cN, ws0: w0, wsN: wN } = r.rss;
  return [
    `${r.sockets} idle sockets (VmRSS; median of 3 samples)`,
    "",
    "| process | 0 sockets MiB | N sockets MiB | bytes per socket |",
    "|---|---:|---:|---:|",
    row("crease: workerd runtime", c0.runtime, cN.runtime),
    row("crease: workerd proxy (wrangler dev)", c0.proxy, cN.proxy),
    row("crease: wrangler (node, esbuild)", c0.wrangler, cN.wrangler),
    row("ws server (node)", w0, wN),
  ].join("\n");
}

if (isMain(import.meta.url)) {
  guardCli("idle-memory", 300_000);
  const { values } = parseArgs({ options: { sockets: { type: "string", default: "2000" } } });
  try {
    const result = await runIdleMemory({ sockets: Number(values.sockets) });
    console.error(`\n${idleMemoryMarkdown(result)}`);
    const { rss: _rss, ...line } = result;
    console.log(JSON.stringify(line));
  } finally {
    await cleanupAll();
  }
  process.exit(0);
}
