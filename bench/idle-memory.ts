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
 * process, same clients. Loopback only; stops by itself after 5 minutes.
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { descendants, fixtureEvents, listenersOn, mib, type Proc, sleep } from "./herd/procs.ts";

const { values } = parseArgs({ options: { sockets: { type: "string", default: "2000" } } });
const N = Number(values.sockets);
if (!Number.isInteger(N) || N < 1 || N > 2500)
  throw new Error("--sockets: 1 to 2,500 (wrangler dev's proxy)");

let stack: LocalStack | null = null;
let wsChild: ChildProcess | null = null;
const sockets: WebSocket[] = [];
const cleanup = async () => {
  for (const s of sockets) s.terminate();
  wsChild?.kill("SIGTERM");
  await stack?.stop().catch(() => undefined);
};
const abort = async (why: string) => {
  console.error(`idle-memory: ${why}, stopping`);
  await cleanup();
  process.exit(2);
};
setTimeout(() => abort("over its 5 minute limit"), 300_000).unref();
process.once("SIGINT", () => abort("interrupted"));
process.once("SIGTERM", () => abort("terminated"));

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

const closeAll = async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await sleep(500);
};

// ---- Crease ---------------------------------------------------------------------------------
const port = await freePort();
stack = new LocalStack(port, tempStateDir());
await stack.start();
const matchId = `idle-${Date.now()}`;
const events = fixtureEvents(matchId);
const res = await stack.ingest(events.slice(0, 1));
await res.body?.cancel();
if (!res.ok) throw new Error(`ingest answered ${res.status}`);
const url = `ws://127.0.0.1:${port}/v1/matches/${matchId}/ws?region=weur`;

const tree = descendants();
const workerds = tree.filter((p) => p.name === "workerd");
const proxyPids = listenersOn(port, workerds);
const kinds = (procs: Proc[]) => {
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
await stack.stop();
stack = null;

// ---- ws baseline ----------------------------------------------------------------------------
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

// ---- report ---------------------------------------------------------------------------------
const per = (after: number, before: number) => Math.round((after - before) / N);
const result = {
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
      Math.round(((per(cN.runtime, c0.runtime) + per(cN.proxy, c0.proxy)) / Math.max(1, per(wN, w0))) * 100) /
      100,
  },
  machine: { date: new Date().toISOString(), node: process.version },
};
const row = (name: string, a: number, b: number) =>
  `| ${name} | ${mib(a)} | ${mib(b)} | ${per(b, a).toLocaleString("en")} |`;
console.error(
  [
    `\n${N} idle sockets (VmRSS; median of 3 samples)`,
    "| process | 0 sockets MiB | N sockets MiB | bytes per socket |",
    "|---|---:|---:|---:|",
    row("crease: workerd runtime", c0.runtime, cN.runtime),
    row("crease: workerd proxy (wrangler dev)", c0.proxy, cN.proxy),
    row("crease: wrangler (node, esbuild)", c0.wrangler, cN.wrangler),
    row("ws server (node)", w0, wN),
  ].join("\n"),
);
console.log(JSON.stringify(result));
await cleanup();
process.exit(0);
