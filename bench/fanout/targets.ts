/**
 * The systems under test, behind one small interface: start it, seed it so a subscriber gets a
 * first frame, publish version k (resolving on the 2xx), stop it. Crease runs its real stack
 * (signed webhook → ledger → room); the baselines broadcast what they are posted.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import { HEARTBEAT_PING } from "../../protocol/live-wire.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { freePort, LocalStack, ROOT, tempStateDir } from "../../scripts/local-stack.ts";
import { descendants } from "../herd/procs.ts";
import { MiniflareStack } from "./miniflare-stack.ts";
import type { ClientKind } from "./subscribers.ts";
import { baselinePayload, type ScenarioName } from "./workload.ts";

export interface Target {
  readonly name: ScenarioName;
  readonly client: ClientKind;
  start(): Promise<void>;
  /** Where subscribers connect, once started. */
  url(): string;
  protocols(): string[];
  /** What a subscriber sends as its heartbeat, if the server needs one. */
  readonly heartbeat?: string;
  /** Makes the first version exist, so subscribers' first frame is a snapshot; returns its seq. */
  prepare(): Promise<number>;
  /** Publishes version k (1-based after prepare) and resolves on the 2xx; returns its seq. */
  publish(k: number): Promise<number>;
  /**
   * The processes whose CPU is the server's, once started (bench/fanout/server-cpu.ts): the
   * workerd Miniflare spawned, both workerd processes of `wrangler dev` (proxy and Worker), or
   * the Node baseline's own process.
   */
  serverPids(): number[];
  stop(): Promise<void>;
}

/** A bundled T20 (IPL 2017): its JSON Patches are 1.9 KB per ball at p50 (docs/fan-out.md). */
const FIXTURE = join(ROOT, "fixtures", "cricsheet", "1175359.json");

/**
 * Crease's whole stack: signed webhook → ledger → room. `wrangler` is the local stack everyone
 * runs (with its proxy); `miniflare` is workerd alone, for N beyond the proxy's ~2,800 sockets.
 */
export function creaseTarget(matchId: string, runtime: "wrangler" | "miniflare"): Target {
  let stack: LocalStack | MiniflareStack | null = null;
  let pids: number[] = [];
  const events: ProviderEvent[] = cricsheetToEvents(JSON.parse(readFileSync(FIXTURE, "utf8")), { matchId });
  const ingest = async (event: ProviderEvent | undefined): Promise<number> => {
    if (!stack || !event) throw new Error("crease: not started, or the match has run out of events");
    const res = await stack.ingest([event]);
    await res.body?.cancel();
    if (!res.ok) throw new Error(`crease: ingest of seq ${event.seq} answered ${res.status}`);
    return event.seq;
  };
  return {
    name: "crease",
    client: "raw",
    // The client library's plain ping: answered by the runtime, and what keeps a socket from 4009.
    heartbeat: HEARTBEAT_PING,
    async start() {
      const before = new Set(workerdPids());
      stack =
        runtime === "wrangler" ? new LocalStack(await freePort(), tempStateDir()) : new MiniflareStack();
      await stack.start();
      pids =
        stack instanceof MiniflareStack
          ? stack.runtimePids()
          : workerdPids().filter((pid) => !before.has(pid));
    },
    // As the client library connects: snapshots gzipped.
    url: () => `${stack?.base.replace("http", "ws")}/v1/matches/${matchId}/ws?region=weur&snapshot=gzip`,
    protocols: () => ["crease.v1"],
    prepare: () => ingest(events[0]),
    publish: (k) => ingest(events[k]),
    serverPids: () => pids,
    async stop() {
      pids = [];
      await stack?.stop();
    },
  };
}

/** A Node baseline server (ws-server.ts or socketio-server.ts) in its own process. */
function nodeTarget(name: "ws" | "socketio", script: string, payloadBytes: number): Target {
  let child: ChildProcess | null = null;
  let port = 0;
  return {
    name,
    client: name === "ws" ? "raw" : "socketio",
    async start() {
      const proc = fork(join(import.meta.dirname, script), [], {
        execArgv: ["--import", "tsx"],
        stdio: "inherit",
      });
      child = proc;
      port = await new Promise<number>((resolve, reject) => {
        proc.once("message", (m: { port: number }) => resolve(m.port));
        proc.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
      });
    },
    url: () => (name === "ws" ? `ws://127.0.0.1:${port}/` : `http://127.0.0.1:${port}`),
    protocols: () => [],
    prepare: async () => 0,
    publish: (k) => postPayload(`http://127.0.0.1:${port}/publish`, k, payloadBytes),
    serverPids: () => (child?.pid ? [child.pid] : []),
    async stop() {
      const proc = child;
      child = null;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

export const wsTarget = (payloadBytes: number) => nodeTarget("ws", "ws-server.ts", payloadBytes);
export const socketioTarget = (payloadBytes: number) =>
  nodeTarget("socketio", "socketio-server.ts", payloadBytes);

async function postPayload(url: string, k: number, payloadBytes: number): Promise<number> {
  const res = await fetch(url, { method: "POST", body: baselinePayload(k, k - 1, payloadBytes) });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}`);
  return k;
}

/**
 * A Durable Object peer of Crease's rooms, a Worker in its own folder under bench/fanout/ whose
 * room is at `path` (WebSocket to subscribe, POST to publish): partyserver's `Server`
 * (bench/fanout/partyserver/) or a bare hibernating object (bench/fanout/bare/). It runs where
 * Crease runs: `wrangler dev` with its proxy, or workerd via Miniflare with none.
 */
function durableObjectPeer(
  name: "partyserver" | "bare",
  path: string,
  runtime: "wrangler" | "miniflare",
  payloadBytes: number,
): Target {
  const project = join(import.meta.dirname, name);
  let child: ChildProcess | null = null;
  let stack: MiniflareStack | null = null;
  let base = "";
  let pids: number[] = [];
  return {
    name,
    client: "raw",
    async start() {
      if (runtime === "miniflare") {
        stack = new MiniflareStack({ project, name: `bench-${name}` });
        await stack.start();
        base = stack.base;
        pids = stack.runtimePids();
        return;
      }
      const before = new Set(workerdPids());
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const proc = spawn(
        join(ROOT, "node_modules", ".bin", "wrangler"),
        ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", tempStateDir()].concat([
          "--show-interactive-dev-session=false",
        ]),
        {
          cwd: project,
          detached: true,
          stdio: "ignore",
          env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        },
      );
      child = proc;
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`${name}: wrangler dev exited with ${proc.exitCode}`);
        if (Date.now() > deadline) throw new Error(`${name}: wrangler dev did not answer within 60 s`);
        try {
          await (await fetch(`${base}/`)).body?.cancel();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      pids = workerdPids().filter((pid) => !before.has(pid));
    },
    url: () => `${base.replace("http", "ws")}${path}`,
    protocols: () => [],
    prepare: async () => 0,
    publish: (k) => postPayload(`${base}${path}`, k, payloadBytes),
    serverPids: () => pids,
    async stop() {
      pids = [];
      await stack?.stop();
      stack = null;
      const proc = child;
      child = null;
      if (!proc?.pid || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      const kill = setTimeout(() => process.kill(-(proc.pid as number), "SIGKILL"), 5000);
      process.kill(-proc.pid, "SIGINT");
      await exited;
      clearTimeout(kill);
    },
  };
}

/** One partyserver `Server` with hibernation, the room a user would otherwise pick on Cloudflare. */
export const partyserverTarget = (payloadBytes: number, runtime: "wrangler" | "miniflare" = "wrangler") =>
  durableObjectPeer("partyserver", "/parties/bench-room/match", runtime, payloadBytes);

/** A bare hibernating Durable Object (accept, getWebSockets, send): the runtime's own floor. */
export const bareTarget = (payloadBytes: number, runtime: "wrangler" | "miniflare") =>
  durableObjectPeer("bare", "/room", runtime, payloadBytes);

/** The workerd processes descended from this one, now (wrangler dev runs two: its proxy and the Worker). */
function workerdPids(): number[] {
  return descendants()
    .filter((p) => p.name === "workerd")
    .map((p) => p.pid);
}
