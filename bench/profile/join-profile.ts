/**
 * Where a join's CPU goes, as the runtime sees it: Crease run by Miniflare (no dev proxy) with
 * workerd's inspector open, V8's sampling profiler started over the DevTools protocol, N
 * viewers joined one live match (optionally a few versions spread to them), and the samples
 * summed by function and by file. The Worker bundle is not minified, so the names are ours.
 *
 *   npx tsx bench/profile/join-profile.ts [--clients 2000] [--spread 0] [--top 30] [--json FILE]
 *
 * Loopback only; bounded (every wait has a deadline); stops workerd on exit.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import WebSocket from "ws";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { freePort, postSignedBatch, ROOT } from "../../scripts/local-stack.ts";
import { readCpu } from "../fanout/server-cpu.ts";
import { descendants } from "../herd/procs.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "2000" },
    spread: { type: "string", default: "0" },
    top: { type: "string", default: "30" },
    json: { type: "string" },
    "no-profile": { type: "boolean", default: false },
    /** crease, or a peer of the bench on the same runtime: bare, partyserver (bench/fanout/). */
    target: { type: "string", default: "crease" },
  },
});
const CLIENTS = Number(values.clients);
const SPREAD = Number(values.spread);
const TOP = Number(values.top);
const TARGET = values.target;
const PROJECT = TARGET === "crease" ? ROOT : join(ROOT, "bench", "fanout", TARGET);
/** Where a viewer connects, per target. */
const socketPath = (matchId: string) =>
  TARGET === "crease"
    ? `/v1/matches/${matchId}/ws`
    : TARGET === "bare"
      ? "/room"
      : "/parties/bench-room/match";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A DevTools protocol session over the inspector's WebSocket. */
class Inspector {
  private next = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id === undefined) return;
      const done = this.pending.get(message.id);
      this.pending.delete(message.id);
      done?.(message.error ? { error: message.error } : message.result);
    });
  }

  static async open(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      title: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets[0];
    if (!target) throw new Error("the inspector lists no worker");
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    return new Inspector(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.pending.set(id, (r) => resolve(r as T)));
  }

  close(): void {
    this.socket.close();
  }
}

function selfTimes(profile: Profile): {
  byFunction: Map<string, number>;
  byFile: Map<string, number>;
  total: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") return;
    total += us;
    const file = url.split("/").pop() || "(runtime)";
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  });
  return { byFunction, byFile, total };
}

/** Time under each function (itself and what it called), each sample counted once per function on its stack. */
function inclusiveTimes(profile: Profile): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === "(idle)" || functionName === "(program)" || functionName === "(root)") break;
      const key = `${functionName || "(anonymous)"} ${url.split("/").pop() || "(runtime)"}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.set(key, (out.get(key) ?? 0) + us);
    }
  });
  return out;
}

/** The source file of each bundle line: wrangler's bundle marks every module with `// path`. */
function moduleOfLine(bundle: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  bundle.split("\n").forEach((text, i) => {
    const match = /^\/\/ ((?:node_modules\/)?[\w@./-]+\.(?:ts|js|mjs))$/.exec(text);
    if (match?.[1]) starts.push({ line: i + 1, module: match[1] });
  });
  return (line) => {
    let found = "(bundle)";
    for (const s of starts) if (s.line <= line) found = s.module;
    return found;
  };
}

async function main(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), "crease-profile-"));
  const stateDir = mkdtempSync(join(tmpdir(), "crease-profile-state-"));
  execFileSync(join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: PROJECT,
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const script = TARGET === "crease" ? "index.js" : "worker.js";
  const bundle = readFileSync(join(outdir, script), "utf8");
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(PROJECT, "wrangler.toml"));
  const vars: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, ".dev.vars.example"), "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) vars[m[1]] = m[2];
  }
  const mf = new Miniflare({
    ...workerOptions,
    name: "crease",
    modules: true,
    scriptPath: join(outdir, script),
    modulesRoot: outdir,
    bindings: {
      ...workerOptions.bindings,
      ...vars,
      ROOM_ADMIT_PER_SECOND: "100000",
      ROOM_ADMIT_BURST: "100000",
    },
    host: "127.0.0.1",
    port,
    inspectorPort,
    durableObjectsPersist: join(stateDir, "do"),
  } as ConstructorParameters<typeof Miniflare>[0]);
  const sockets: WebSocket[] = [];
  try {
    const base = (await mf.ready).origin;
    const matchId = "profile-1";
    const fixture = JSON.parse(readFileSync(join(ROOT, "fixtures", "cricsheet", "1175359.json"), "utf8"));
    const events: ProviderEvent[] = cricsheetToEvents(fixture, { matchId });
    const first = events.slice(0, 60);
    if (TARGET === "crease") {
      const response = await postSignedBatch(base, first);
      if (!response.ok) throw new Error(`ingest: ${response.status} ${await response.text()}`);
    }
    // One viewer first, so the room exists and holds the state before the profile starts.
    const warm = await join1(base, matchId);
    sockets.push(warm);

    const profiling = !values["no-profile"];
    const inspector = await Inspector.open(inspectorPort);
    if (profiling) {
      await inspector.send("Profiler.enable");
      await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
      await inspector.send("Profiler.start");
    }
    const workerd = descendants()
      .filter((p) => p.name === "workerd")
      .map((p) => p.pid);
    const before = readCpu(workerd);
    const started = performance.now();
    for (let i = 0; i < CLIENTS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, CLIENTS - i) }, () => join1(base, matchId)),
      );
      sockets.push(...batch);
    }
    const joinedMs = performance.now() - started;
    const joined = readCpu(workerd);
    for (let v = 0; v < SPREAD; v++) {
      const event = events[first.length + v];
      if (!event) break;
      const arrived = sockets.map(
        (ws) => new Promise<void>((resolve) => ws.once("message", () => resolve())),
      );
      await postSignedBatch(base, [event]);
      await Promise.race([Promise.all(arrived), sleep(10_000)]);
    }
    const cpu = (a: typeof before, b: typeof before) => Math.round((b.cpuSeconds - a.cpuSeconds) * 1e6);
    console.log(
      `workerd (kernel's count, all threads): ${Math.round(cpu(before, joined) / CLIENTS)} µs CPU per join, ` +
        `run-queue wait ${Math.round((joined.waitSeconds - before.waitSeconds) * 1000)} ms over the joins` +
        (profiling ? " (with the profiler running)" : ""),
    );
    if (!profiling) return inspector.close();
    const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop");
    inspector.close();

    const where = moduleOfLine(bundle);
    const { byFunction, total } = selfTimes(profile);
    const byModule = new Map<string, number>();
    for (const [key, us] of byFunction) {
      const [, file, line] = /^.* (\S+):(\d+)$/.exec(key) ?? [];
      const module = file === script ? where(Number(line)) : (file ?? "(runtime)");
      byModule.set(module, (byModule.get(module) ?? 0) + us);
    }
    const ms = (us: number) => Math.round(us / 100) / 10;
    const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP);
    console.log(`${CLIENTS} joins in ${Math.round(joinedMs)} ms wall, ${SPREAD} versions spread`);
    console.log(
      `JS CPU sampled (isolate, not idle): ${ms(total)} ms, ${Math.round(total / CLIENTS)} µs per join`,
    );
    console.log("\nby module (self time):");
    for (const [module, us] of sorted(byModule)) console.log(`  ${String(ms(us)).padStart(8)} ms  ${module}`);
    console.log("\nby function (self time):");
    for (const [key, us] of sorted(byFunction)) {
      const [, file, line] = /^.* (\S+):(\d+)$/.exec(key) ?? [];
      const module = file === script ? ` [${where(Number(line))}]` : "";
      console.log(`  ${String(ms(us)).padStart(8)} ms  ${key}${module}`);
    }
    console.log("\nby function (inclusive: itself and what it called):");
    for (const [key, us] of sorted(inclusiveTimes(profile))) {
      const [, file, line] = /^.* (\S+):(\d+)$/.exec(key) ?? [];
      const module = file === script ? ` [${where(Number(line))}]` : "";
      console.log(`  ${String(ms(us)).padStart(8)} ms  ${key}${module}`);
    }
    if (values.json) writeFileSync(values.json, JSON.stringify(profile));
  } finally {
    for (const ws of sockets) ws.terminate();
    await mf.dispose();
    rmSync(outdir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** One viewer: open, and wait for its first frame (the snapshot). */
function join1(base: string, matchId: string): Promise<WebSocket> {
  const url = `${base.replace("http", "ws")}${socketPath(matchId)}`;
  const ws = TARGET === "crease" ? new WebSocket(url, "crease.v1") : new WebSocket(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("join timed out")), 30_000);
    ws.once("message", () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await main();
