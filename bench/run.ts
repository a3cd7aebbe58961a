/**
 * `npm run bench`: fan-out latency of Crease against the baselines a user would otherwise pick
 * (a plain `ws` server, a Socket.IO room, a partyserver room) and the runtime's own floor (a bare
 * hibernating Durable Object), the same workload in the same run, with each server's CPU per
 * join and per delivered frame read from /proc (bench/fanout/server-cpu.ts).
 * Writes bench/results/local/<date>.json, .md and .svg (git-ignored: the committed runs in
 * bench/results/ are the ones docs/benchmarks.md cites); the last line of stdout is one JSON
 * summary: what was measured, whether every subscriber got every version in order, and per
 * system p50/p99/max from the 2xx, `connectMs`, `e2e` {p50, p99} from sending the POST, `spreadP99`,
 * `perJoinMs`, `perFrameUs` and `waitSeconds`. The full mode then also runs ingest, idle memory
 * and the herd (bench/extras.ts) into the same files.
 *
 *   npm run bench -- --quick                 under a minute: 500 subscribers
 *   npm run bench                            2,000 subscribers, longer phases, then the extras
 *   npm run bench -- --skip-extras           full mode, fan-out only
 *   npm run bench -- --only crease --seed 7  one scenario, another seed
 *   npm run bench -- --subscribers 1000 --processes 4
 *   npm run bench -- --runtime miniflare --subscribers 10000 --processes 4 --only crease,ws,socketio
 *                                            Crease on workerd without wrangler dev's proxy
 *   npm run bench -- --runtime miniflare --only crease,partyserver,bare,ws --skip-extras
 *                                            Crease beside its Durable Object peers, one runtime
 *
 * Exits non-zero when any subscriber missed a version, got one out of order or twice, or a
 * scenario or an extra failed to run (or the herd did not converge). See docs/benchmarks.md.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../scripts/local-stack.ts";
import { cleanupAll } from "./cleanup.ts";
import { type ExtrasReport, extrasFailed, extrasMarkdown, runExtras } from "./extras.ts";
import { svgChart } from "./fanout/chart.ts";
import { markdownReport } from "./fanout/report.ts";
import { runScenario, type ScenarioResult } from "./fanout/scenario.ts";
import {
  bareTarget,
  creaseTarget,
  partyserverTarget,
  socketioTarget,
  type Target,
  wsTarget,
} from "./fanout/targets.ts";
import { FULL, QUICK, SCENARIOS, type ScenarioName, type Workload } from "./fanout/workload.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
    only: { type: "string", multiple: true },
    subscribers: { type: "string" },
    processes: { type: "string" },
    runtime: { type: "string", default: "wrangler" },
    "skip-extras": { type: "boolean", default: false },
  },
});
const mode = values.quick ? "quick" : "full";
const workload: Workload = {
  ...(values.quick ? QUICK : FULL),
  seed: Number(values.seed),
  ...(values.subscribers ? { subscribers: Number(values.subscribers) } : {}),
  ...(values.processes ? { processes: Number(values.processes) } : {}),
};
const runtime = values.runtime === "miniflare" ? "miniflare" : "wrangler";
const only = (values.only ?? []).flatMap((s) => s.split(","));
for (const name of only)
  if (!SCENARIOS.includes(name as ScenarioName))
    throw new Error(`--only ${name}: not one of ${SCENARIOS.join(", ")}`);
const selected = SCENARIOS.filter((s) => only.length === 0 || only.includes(s));
const withExtras = !values.quick && !values["skip-extras"];

// The whole run stops by itself, even if a runtime hangs (quick 3 min, full 20 min, 35 min with
// the extras), and a Ctrl-C or SIGTERM takes the runtime (or the extras' stacks) down with it.
let current: Target | null = null;
const abort = async (why: string) => {
  console.error(`bench: ${why}, stopping`);
  await current?.stop().catch(() => undefined);
  await cleanupAll();
  process.exit(2);
};
const limitMs = values.quick ? 180_000 : withExtras ? 2_100_000 : 1_200_000;
setTimeout(() => abort(`over its ${mode} time limit`), limitMs).unref();
process.once("SIGINT", () => abort("interrupted"));
process.once("SIGTERM", () => abort("terminated"));

const targetFor = (name: ScenarioName): Target => {
  switch (name) {
    case "crease":
      return creaseTarget(`bench-${workload.seed}-${Date.now()}`, runtime);
    case "ws":
      return wsTarget(workload.payloadBytes);
    case "socketio":
      return socketioTarget(workload.payloadBytes);
    case "partyserver":
      return partyserverTarget(workload.payloadBytes, runtime);
    case "bare":
      return bareTarget(workload.payloadBytes, runtime);
  }
};

const children: ChildProcess[] = Array.from({ length: workload.processes }, () =>
  fork(join(import.meta.dirname, "fanout", "subscribers.ts"), [], {
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
    stdio: "inherit",
  }),
);

const results: Partial<Record<ScenarioName, ScenarioResult | null>> = {};
const errors: Partial<Record<ScenarioName, string>> = {};
for (const name of selected) {
  const target = targetFor(name);
  current = target;
  console.error(`bench: ${name}, ${workload.subscribers} subscribers over ${workload.processes} processes…`);
  try {
    const result = await runScenario(target, workload, children);
    results[name] = result;
    const a = result.all.fromAck;
    console.error(
      `bench: ${name}: p50 ${a.p50} ms, p99 ${a.p99} ms, max ${a.max} ms; burst ${result.burst.deliveredPerSecond} msg/s` +
        (result.badSockets ? `; ${result.badSockets} sockets FAILED the invariants` : ""),
    );
    if (result.joinTrace)
      console.error(
        `bench: ${name}: a join, p50 / p99 ms: to the 101 ${result.joinTrace.toUpgrade.p50} / ${result.joinTrace.toUpgrade.p99}, 101 to the first frame ${result.joinTrace.upgradeToFirstFrame.p50} / ${result.joinTrace.upgradeToFirstFrame.p99}`,
      );
  } catch (error) {
    results[name] = null;
    errors[name] = String(error instanceof Error ? error.message : error);
    console.error(`bench: ${name} did not run: ${errors[name]}`);
    // Drop whatever sockets the failed scenario left open before the next one.
    for (const child of children) child.send({ cmd: "close" });
    await new Promise((r) => setTimeout(r, 500));
  }
  current = null;
}
// The subscriber processes exit when disconnected; wait for that, so the idle-memory extra
// counts only the processes it starts.
await Promise.all(
  children.map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  ),
);

const extras: ExtrasReport | null = withExtras ? await runExtras(runtime) : null;

const machine = {
  date: new Date().toISOString(),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  workerd: readVersion("workerd"),
  wrangler: readVersion("wrangler"),
  ws: readVersion("ws"),
  socketio: readVersion("socket.io"),
  partyserver: readVersion("partyserver"),
};
const report = { mode, runtime, workload, machine, results, errors, ...(extras ? { extras } : {}) };
const stamp = machine.date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
// Not bench/results/ itself: those are the runs the docs cite, committed; new runs stay local.
const dir = join(ROOT, "bench", "results", "local");
mkdirSync(dir, { recursive: true });
const jsonPath = join(dir, `${stamp}-${mode}.json`);
writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(
  join(dir, `${stamp}-${mode}.md`),
  markdownReport(report) + (extras ? `\n${extrasMarkdown(extras)}` : ""),
);
writeFileSync(
  join(dir, `${stamp}-${mode}.svg`),
  svgChart(
    `${workload.subscribers} subscribers, ${mode} mode, Crease on ${runtime}, ${machine.date}`,
    results,
  ),
);
console.error(`bench: wrote ${jsonPath}, .md and .svg`);

const failed = Object.entries(results).filter(([, r]) => r && r.badSockets > 0);
for (const [name, r] of failed)
  console.error(`bench: ${name} FAILED the invariants:\n  ${r?.failures.join("\n  ")}`);
const ran = selected.filter((name) => results[name]);
const versions = workload.steadyEvents + workload.burstEvents;
const summary: Record<string, unknown> = {
  measured:
    `fan-out of ${versions} versions to ${workload.subscribers} subscribers (${ran.join(", ") || "none"}` +
    `${ran.length < selected.length ? `; did not run: ${selected.filter((n) => !results[n]).join(", ")}` : ""})` +
    ` on ${runtime}, ${mode} mode, seed ${workload.seed}`,
  /** Every subscriber of every system that ran got every version exactly once, in order. */
  everyVersionInOrder: ran.length > 0 && failed.length === 0,
  subscribers: workload.subscribers,
};
for (const name of selected) {
  const r = results[name];
  summary[name] = r
    ? {
        p50: r.all.fromAck.p50,
        p99: r.all.fromAck.p99,
        max: r.all.fromAck.max,
        connectMs: r.connectMs,
        e2e: { p50: r.all.fromPost.p50, p99: r.all.fromPost.p99 },
        spreadP99: r.all.fromFirst.p99,
        perJoinMs: r.serverCpu.perJoinMs,
        perFrameUs: r.serverCpu.perFrameUs,
        waitSeconds: r.serverCpu.waitSeconds,
      }
    : null;
}
console.log(JSON.stringify(summary));
// partyserver is a best-effort baseline; anything else that did not run is a failure.
const broken =
  failed.length > 0 ||
  Object.keys(errors).some((n) => n !== "partyserver") ||
  (extras !== null && extrasFailed(extras));
process.exit(broken ? 1 : 0);

function readVersion(pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }
    ).version;
  } catch {
    return "not installed";
  }
}
