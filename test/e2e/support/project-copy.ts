import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { freePort, ROOT } from "../../../scripts/local-stack.ts";
import { until } from "../../support/time.ts";

/** What a clone does not have: installed packages, local state, build output, the developer's .dev.vars. */
const LEFT_OUT = new Set(["node_modules", ".git", ".wrangler", "dist", "test-results", ".tmp", ".dev.vars"]);

/**
 * A throwaway copy of the project (its node_modules linked, not copied), so a test can run
 * `npm start` exactly as a developer does, with its own .dev.vars and .wrangler/state, and
 * never touch the developer's.
 */
export function projectCopy(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "crease-project-"));
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (source) => !LEFT_OUT.has(relative(ROOT, source).split("/")[0] ?? ""),
  });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `npm <args>` in `dir`, as a process manager starts it: its own process group, output kept
 * for the failure message.
 */
export function npm(dir: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn("npm", args, {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** Waits (bounded) until `base` answers /health. */
export async function waitUntilUp(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base} did not answer within 120 s:\n${output()}`);
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

/** `pid` and every process below it, whatever process group they moved to; zombies left out. */
export function processTree(pid: number): ProcessInfo[] {
  const all = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .flatMap((line) => {
      const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s(.*)$/.exec(line);
      if (!match || match[3]?.startsWith("Z")) return [];
      return [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[4] ?? "" }];
    });
  const tree = all.filter((p) => p.pid === pid);
  for (let i = 0; i < tree.length; i++) {
    const parent = tree[i]?.pid;
    tree.push(...all.filter((p) => p.ppid === parent));
  }
  return tree;
}

/** The processes in `pids` that still run (zombies waiting for a reaper do not count). */
export function stillRunning(pids: number[]): number[] {
  if (pids.length === 0) return [];
  let listing = "";
  try {
    listing = execFileSync("ps", ["-o", "pid=,stat=", "-p", pids.join(",")], { encoding: "utf8" });
  } catch {
    return []; // ps exits 1 when none of them exists
  }
  return listing.split("\n").flatMap((line) => {
    const match = /^\s*(\d+)\s+(\S+)/.exec(line);
    return match && !match[2]?.startsWith("Z") ? [Number(match[1])] : [];
  });
}

/** SIGKILL to whatever a failed test left behind, by pid. */
export function killAll(pids: number[]): void {
  for (const pid of stillRunning(pids)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** Which process of an npm script's tree gets a signal: npm itself, tsx's launcher, or the script. */
export type SignalTarget = "npm" | "tsx" | "script";

/** The pid of `target` in a tree read by `processTree` (npm first). */
export function findTarget(tree: ProcessInfo[], target: SignalTarget): number | undefined {
  if (target === "npm") return tree[0]?.pid;
  if (target === "tsx") return tree.find((p) => /\/tsx\b|tsx\/dist\/cli/.test(p.args))?.pid;
  return tree.find((p) => p.args.includes("tsx/dist/preflight"))?.pid;
}

/** `npm run redis:local` on two free ports, once it has printed its two `UPSTASH_*` lines. */
export async function startRedisLocal(): Promise<{
  run: ReturnType<typeof npm>;
  bridgePort: number;
  redisPort: number;
}> {
  const [bridgePort, redisPort] = [await freePort(), await freePort()];
  const args = ["run", "redis:local", "--", "--port", String(bridgePort), "--redis-port", String(redisPort)];
  const run = npm(ROOT, args);
  await until(() => run.output().includes("UPSTASH_REDIS_REST_TOKEN="), 20_000, "redis:local", run.output);
  return { run, bridgePort, redisPort };
}
