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
 * wrangler's own Node process apart again. The same, in the same run and the same runtime, for
 * a bare partyserver room (bench/fanout/partyserver/, a second `wrangler dev`): issue 13's goal
 * is Crease's runtime bytes per socket ≤ 1.1× partyserver's. Baseline: bench/fanout/ws-server.ts
 * in its own Node process, same clients. Plus Crease's own per-socket state (attachment and
 * book entry, bench/idle-memory/socket-state.ts; goal ≤ 1 KB). Loopback only; stops by itself
 * after 6 minutes. Also run by the full mode of `npm run bench` (runIdleMemory).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { cleanupAll, guardCli, isMain, onCleanup } from "./cleanup.ts";
import { partyserverTarget, type Target } from "./fanout/targets.ts";
import { descendants, fixtureEvents, listenersOn, mib, type Proc, sleep } from "./herd/procs.ts";
import { measureSocketState, type SocketStateSize } from "./idle-memory/socket-state.ts";

interface Kinds {
  runtime: number;
  proxy: number;
  wrangler: number;
}

export interface IdleMemoryResult {
  sockets: number;
  /** How Crease's viewers asked for their first snapshot (absent in results before issue 13: JSON). */
  snapshot?: "gzip" | "json";
  crease: {
    runtimeBytesPerSocket: number;
    proxyBytesPerSocket: number;
    wranglerBytesPerSocket: number;
    runtimeMiB: { idle0: number; idleN: number };
    proxyMiB: { idle0: number; idleN: number };
    wranglerMiB: { idle0: number; idleN: number };
    connectMs: number;
  };
  /**
   * A bare partyserver room under `wrangler dev`, measured the same way in the same run; null when
   * it could not run (`partyserverError` says why).
   */
  partyserver: {
    runtimeBytesPerSocket: number;
    proxyBytesPerSocket: number;
    runtimeMiB: { idle0: number; idleN: number };
    proxyMiB: { idle0: number; idleN: number };
    connectMs: number;
  } | null;
  partyserverError?: string;
  ws: { bytesPerSocket: number; MiB: { idle0: number; idleN: number } };
  ratio: {
    runtimeVsWs: number;
    runtimePlusProxyVsWs: number;
    /** Crease's runtime bytes per socket ÷ partyserver's (goal ≤ 1.1); null without partyserver. */
    runtimeVsPartyserver: number | null;
    runtimePlusProxyVsPartyserver: number | null;
  };
  /** What Crease itself keeps per socket (attachment, tag, book entry); goal ≤ 1 KB. */
  ownState: SocketStateSize;
  machine: { date: string; node: string };
  /** Raw VmRSS bytes, for the Markdown table. */
  rss: {
    crease0: Kinds;
    creaseN: Kinds;
    party0: Kinds | null;
    partyN: Kinds | null;
    ws0: number;
    wsN: number;
  };
}

/** Issue 13: Crease's runtime memory per idle socket at most this many times a bare partyserver room's. */
export const PARTYSERVER_GOAL_RATIO = 1.1;
/** Issue 13: Crease's own per-socket state at most this many bytes. */
export const OWN_STATE_GOAL_BYTES = 1024;

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
export async function runIdleMemory(
  opts: {
    sockets?: number;
    /** How Crease's viewers ask for their snapshot: gzipped, as the client library does (default), or JSON text. */
    snapshot?: "gzip" | "json";
  } = {},
): Promise<IdleMemoryResult> {
  const snapshot = opts.snapshot ?? "gzip";
  const N = opts.sockets ?? 2000;
  if (!Number.isInteger(N) || N < 1 || N > 2500)
    throw new Error("--sockets: 1 to 2,500 (wrangler dev's proxy)");

  let stack: LocalStack | null = null;
  let partyTarget: Target | null = null;
  let wsChild: ChildProcess | null = null;
  const sockets: WebSocket[] = [];
  const cleanup = async () => {
    for (const s of sockets.splice(0)) s.terminate();
    wsChild?.kill("SIGTERM");
    wsChild = null;
    await stack?.stop().catch(() => undefined);
    stack = null;
    await partyTarget?.stop().catch(() => undefined);
    partyTarget = null;
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

  /**
   * VmRSS by kind (runtime, proxy, wrangler) of the `wrangler dev` tree listening on `port`, with
   * 0 sockets (after one warm-up viewer, so the room exists and its code is loaded) and with N.
   */
  async function measureWranglerDev(port: number, url: string, protocols: string[]) {
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
      `idle-memory: ${url}: ${tree.map((p) => `${p.pid} ${p.name}${proxyPids.has(p.pid) ? " (proxy)" : ""} ${mib(p.rssBytes)} MiB`).join(", ")}`,
    );
    await connect(url, protocols, 1);
    await closeAll();
    const at0 = await sample(() => 0).then(() => kinds(descendants()));
    const t0 = performance.now();
    await connect(url, protocols, N);
    const connectMs = Math.round(performance.now() - t0);
    const atN = await sample(() => 0).then(() => kinds(descendants()));
    await closeAll();
    return { at0, atN, connectMs };
  }

  try {
    const ownState = measureSocketState();
    console.error(`idle-memory: Crease's own state per socket ${JSON.stringify(ownState)}`);

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
    const url = `ws://127.0.0.1:${port}/v1/matches/${matchId}/ws?region=weur${snapshot === "gzip" ? "&snapshot=gzip" : ""}`;
    const crease = await measureWranglerDev(port, url, ["crease.v1"]);
    const { at0: c0, atN: cN, connectMs: creaseConnectMs } = crease;
    await creaseStack.stop();
    stack = null;

    // ---- partyserver: the same runtime, the same proxy, a bare room ---------------------------
    let party: Awaited<ReturnType<typeof measureWranglerDev>> | null = null;
    let partyserverError: string | undefined;
    try {
      const target = partyserverTarget(0);
      partyTarget = target;
      await target.start();
      const partyUrl = target.url();
      party = await measureWranglerDev(Number(new URL(partyUrl).port), partyUrl, target.protocols());
    } catch (error) {
      partyserverError = String(error instanceof Error ? error.message : error);
      console.error(`idle-memory: partyserver did not run: ${partyserverError}`);
      await closeAll();
    } finally {
      await partyTarget?.stop().catch(() => undefined);
      partyTarget = null;
    }

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
    const ratio = (x: number, y: number) => (y > 0 ? Math.round((x / y) * 100) / 100 : null);
    const creaseRuntime = per(cN.runtime, c0.runtime);
    const creaseProxy = per(cN.proxy, c0.proxy);
    const partyRuntime = party ? per(party.atN.runtime, party.at0.runtime) : 0;
    const partyProxy = party ? per(party.atN.proxy, party.at0.proxy) : 0;
    return {
      sockets: N,
      snapshot,
      crease: {
        runtimeBytesPerSocket: per(cN.runtime, c0.runtime),
        proxyBytesPerSocket: per(cN.proxy, c0.proxy),
        wranglerBytesPerSocket: per(cN.wrangler, c0.wrangler),
        runtimeMiB: { idle0: mib(c0.runtime), idleN: mib(cN.runtime) },
        proxyMiB: { idle0: mib(c0.proxy), idleN: mib(cN.proxy) },
        wranglerMiB: { idle0: mib(c0.wrangler), idleN: mib(cN.wrangler) },
        connectMs: creaseConnectMs,
      },
      partyserver: party
        ? {
            runtimeBytesPerSocket: partyRuntime,
            proxyBytesPerSocket: partyProxy,
            runtimeMiB: { idle0: mib(party.at0.runtime), idleN: mib(party.atN.runtime) },
            proxyMiB: { idle0: mib(party.at0.proxy), idleN: mib(party.atN.proxy) },
            connectMs: party.connectMs,
          }
        : null,
      ...(partyserverError ? { partyserverError } : {}),
      ws: { bytesPerSocket: per(wN, w0), MiB: { idle0: mib(w0), idleN: mib(wN) } },
      ratio: {
        runtimeVsPartyserver: party ? ratio(creaseRuntime, partyRuntime) : null,
        runtimePlusProxyVsPartyserver: party
          ? ratio(creaseRuntime + creaseProxy, partyRuntime + partyProxy)
          : null,
        runtimeVsWs: Math.round((per(cN.runtime, c0.runtime) / Math.max(1, per(wN, w0))) * 100) / 100,
        runtimePlusProxyVsWs:
          Math.round(
            ((per(cN.runtime, c0.runtime) + per(cN.proxy, c0.proxy)) / Math.max(1, per(wN, w0))) * 100,
          ) / 100,
      },
      ownState,
      machine: { date: new Date().toISOString(), node: process.version },
      rss: {
        crease0: c0,
        creaseN: cN,
        party0: party?.at0 ?? null,
        partyN: party?.atN ?? null,
        ws0: w0,
        wsN: wN,
      },
    };
  } finally {
    unregister();
    await cleanup();
  }
}

/** The result as Markdown tables (VmRSS; median of 3 samples) and the goals of issue 13. */
export function idleMemoryMarkdown(r: IdleMemoryResult): string {
  const per = (after: number, before: number) => Math.round((after - before) / r.sockets);
  const row = (name: string, a: number, b: number) =>
    `| ${name} | ${mib(a)} | ${mib(b)} | ${per(b, a).toLocaleString("en")} |`;
  const { crease0: c0, creaseN: cN, party0: p0, partyN: pN, ws0: w0, wsN: wN } = r.rss;
  const s = r.ownState;
  const x = (v: number | null) => (v === null ? "—" : `${v}×`);
  const vsParty = r.ratio.runtimeVsPartyserver;
  return [
    `${r.sockets} idle sockets (VmRSS; median of 3 samples); Crease (snapshots ${r.snapshot ?? "json"}) and partyserver each under its own \`wrangler dev\`, one after the other`,
    "",
    "| process | 0 sockets MiB | N sockets MiB | bytes per socket |",
    "|---|---:|---:|---:|",
    row("crease: workerd runtime", c0.runtime, cN.runtime),
    row("crease: workerd proxy (wrangler dev)", c0.proxy, cN.proxy),
    row("crease: wrangler (node, esbuild)", c0.wrangler, cN.wrangler),
    ...(p0 && pN
      ? [
          row("partyserver: workerd runtime", p0.runtime, pN.runtime),
          row("partyserver: workerd proxy (wrangler dev)", p0.proxy, pN.proxy),
          row("partyserver: wrangler (node, esbuild)", p0.wrangler, pN.wrangler),
        ]
      : [`| partyserver | did not run: ${r.partyserverError ?? "unknown"} | | |`]),
    row("ws server (node)", w0, wN),
    "",
    "| goal | measured | met |",
    "|---|---:|---|",
    `| runtime bytes per socket, Crease ÷ partyserver ≤ ${PARTYSERVER_GOAL_RATIO}× | ${x(vsParty)} (runtime + proxy ${x(r.ratio.runtimePlusProxyVsPartyserver)}) | ${vsParty === null ? "—" : vsParty <= PARTYSERVER_GOAL_RATIO ? "yes" : "no"} |`,
    `| Crease's own state per socket ≤ ${OWN_STATE_GOAL_BYTES.toLocaleString("en")} B | ${s.totalBytes} B (attachment ${s.attachmentCloneBytes.full} B cloned, ${s.attachmentJsonBytes.full} B as JSON; tag ${s.tagBytes} B; book entry ${s.bookEntryHeapBytes} B) | ${s.totalBytes <= OWN_STATE_GOAL_BYTES ? "yes" : "no"} |`,
    "",
    `Own state, method: ${s.method}.`,
  ].join("\n");
}

if (isMain(import.meta.url)) {
  guardCli("idle-memory", 360_000);
  const { values } = parseArgs({
    options: { sockets: { type: "string", default: "2000" }, snapshot: { type: "string", default: "gzip" } },
  });
  if (values.snapshot !== "gzip" && values.snapshot !== "json") throw new Error("--snapshot: gzip or json");
  try {
    const result = await runIdleMemory({ sockets: Number(values.sockets), snapshot: values.snapshot });
    console.error(`\n${idleMemoryMarkdown(result)}`);
    const { rss: _rss, ...line } = result;
    console.log(JSON.stringify(line));
  } finally {
    await cleanupAll();
  }
  process.exit(0);
}
