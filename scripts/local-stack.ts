/**
 * The local stack: `wrangler dev` with local persistence. Shared by `npm start`, `npm run dev`,
 * the end-to-end tests and the benchmarks, so they all run the stack the same way.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signPayload } from "../origin/signature.ts";
import type { ProviderEvent } from "../scoring/index.ts";

export const ROOT = join(import.meta.dirname, "..");
export const STATE_DIR = join(ROOT, ".wrangler", "state");
/**
 * The fixed development values. Tests, benchmarks and chaos scripts run on these whatever a
 * developer keeps in .dev.vars; `npm start` and `npm run dev` read .dev.vars instead.
 */
export const DEV_VARS_EXAMPLE = join(ROOT, ".dev.vars.example");
export const DEV_SECRET = "dev-ingest-secret";
export const DEV_ADMIN = { authorization: "Bearer dev-admin-token" };

/**
 * The project's .dev.vars, as `wrangler dev` reads it; a fresh clone gets a copy of the
 * documented example first, so it needs no manual step. Returns its path.
 */
export function ensureDevVars(root: string = ROOT): string {
  const target = join(root, ".dev.vars");
  if (!existsSync(target)) {
    copyFileSync(join(root, ".dev.vars.example"), target);
    console.log("created .dev.vars from .dev.vars.example (development values only)");
  }
  return target;
}

/** Reads `--port N` (or `--port=N`) from argv; 8787 otherwise. */
export function portFrom(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port") return Number(argv[i + 1]);
    if (arg?.startsWith("--port=")) return Number(arg.slice("--port=".length));
  }
  return 8787;
}

/**
 * POSTs `{"events": [...]}` to a stack's webhook, signed at the moment of sending (so a retry
 * after an outage never falls outside the replay window). `events` is `unknown[]` so fault
 * scripts can send malformed ones too.
 */
export async function postSignedBatch(
  base: string,
  events: readonly unknown[],
  opts: { secret?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const body = JSON.stringify({ events });
  const signature = await signPayload(opts.secret ?? DEV_SECRET, body, Math.floor(Date.now() / 1000));
  return fetch(`${base}/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-crease-signature": signature },
    body,
    signal: opts.signal,
  });
}

/** A free loopback port, so parallel runs and a developer's own `npm start` do not collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}

/**
 * Whether nothing listens on 127.0.0.1:`port` (a test bind, closed at once). A busy port is
 * refused before anything starts: otherwise the other process's /health answers the readiness
 * check and the new stack's replay feeds someone else's stack.
 */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The stack's port is taken by another process; the message is one line a script can print as is. */
export class PortBusyError extends Error {
  constructor(readonly port: number) {
    super(
      `port ${port} is already in use (another Crease stack or some other server); stop it or choose another port with --port`,
    );
    this.name = "PortBusyError";
  }
}

/**
 * Whether the process listening on 127.0.0.1:`port` belongs to process group `pgid`, read from
 * /proc (Linux): the listening socket's inode, then the group's open descriptors. `undefined`
 * where /proc does not tell (macOS, Windows): there the port checked free before the start and
 * a child still running are the evidence.
 */
export function listenerInGroup(port: number, pgid: number): boolean | undefined {
  let inodes: Set<string>;
  try {
    inodes = new Set(
      ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((table) =>
        existsSync(table)
          ? readFileSync(table, "utf8")
              .split("\n")
              .slice(1)
              .flatMap((line) => {
                const f = line.trim().split(/\s+/);
                const local = f[1]?.split(":");
                // state 0A is LISTEN; the port is the local address's hex suffix
                return f[3] === "0A" && local && Number.parseInt(local.at(-1) ?? "", 16) === port && f[9]
                  ? [f[9]]
                  : [];
              })
          : [],
      ),
    );
  } catch {
    return undefined;
  }
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // field 5 of /proc/PID/stat is the process group; the command name (field 2) may hold spaces
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== pgid) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? "")) return true;
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return false;
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), "crease-state-"));
}

/**
 * This process and the ones that launched it for the same command: the ancestors in our process
 * group, up to the `npm` process if there is one (npm → `sh -c` → tsx → this script). npm
 * forwards only SIGINT and SIGTERM, to `sh`, which dies without passing them on, and tsx does
 * not relay SIGHUP: a signal to any of them can leave this script running. The stack watches
 * them all and stops when any is gone. Without `ps` (Windows) it watches this process alone.
 */
export function launcherChain(): number[] {
  const table = new Map<number, { ppid: number; pgid: number; args: string }>();
  try {
    const listing = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,args="], { encoding: "utf8" });
    for (const line of listing.split("\n")) {
      const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s(.*)$/.exec(line);
      if (match)
        table.set(Number(match[1]), { ppid: Number(match[2]), pgid: Number(match[3]), args: match[4] ?? "" });
    }
  } catch {
    return [process.pid];
  }
  const own = table.get(process.pid);
  const chain = [process.pid];
  for (let pid = own?.ppid ?? 0; pid > 1; ) {
    const ancestor = table.get(pid);
    if (!own || !ancestor || ancestor.pgid !== own.pgid) break;
    chain.push(pid);
    if (/(^|[\s/])np[mx](-cli\.js)?(\s|$)/.test(ancestor.args)) break;
    pid = ancestor.ppid;
  }
  return chain;
}

/**
 * The leader of the stack's process group, between us and wrangler: it starts wrangler, exits
 * with it, and stops the group (SIGINT, then SIGKILL after 5 s) as soon as any process it
 * watches is gone, so a killed script, or an npm that died of a signal it did not pass on,
 * never leaves wrangler and workerd holding the port. It ignores the signals LocalStack sends
 * the group: wrangler exits on them and the leash follows. Plain JavaScript for `node -e`.
 */
const LEASH = `
const { spawn } = require("node:child_process");
const { constants } = require("node:os");
const [watched, command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};
const pids = watched.split(",").map(Number);
const timer = setInterval(() => {
  if (pids.every(alive)) return;
  clearInterval(timer);
  process.kill(-process.pid, "SIGINT");
  setTimeout(() => process.kill(-process.pid, "SIGKILL"), 5000).unref();
}, 250);
`;

export interface LocalStackOptions {
  stdio?: "ignore" | "inherit";
  /** Where the secrets and local settings come from; the fixed development values by default. */
  envFile?: string;
  /** Single values on top of the env file (`--var NAME:VALUE`). */
  vars?: Record<string, string>;
  /** Processes whose exit stops the stack; this one by default (a crashed test leaves nothing behind). */
  owners?: number[];
  /**
   * The DevTools inspector's port; a free one by default. wrangler's default (9229) is shared by
   * every stack on the machine, so a second one failed to start beside the first.
   */
  inspectorPort?: number;
}

/**
 * `wrangler dev` on loopback with local persistence, in its own process group (led by the
 * leash above), so a test can kill -9 the whole runtime (wrangler and workerd) the way a crash
 * would.
 */
export class LocalStack {
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);
  private inspector: number | undefined;
  readonly base: string;

  constructor(
    readonly port: number,
    readonly stateDir: string = STATE_DIR,
    private readonly opts: LocalStackOptions = {},
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  /** The inspector port of the running stack (`wrangler dev --inspector-port`). */
  get inspectorPort(): number | undefined {
    return this.inspector;
  }

  /** Settles with the exit code when the running stack exits, whoever stopped it. */
  get exited(): Promise<number | null> {
    return this.exit;
  }

  /**
   * Starts wrangler dev and resolves once it answers /health. Throws PortBusyError, having
   * started nothing, when the port is taken; an answer counts only from a listener in this
   * stack's own process group (where the system can tell) while the stack still runs.
   */
  async start(timeoutMs = 60_000): Promise<void> {
    if (!(await portIsFree(this.port))) throw new PortBusyError(this.port);
    const inspectorPort = this.opts.inspectorPort ?? (await freePort());
    this.inspector = inspectorPort;
    const vars = Object.entries(this.opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    const wrangler = [
      join(ROOT, "node_modules", ".bin", "wrangler"),
      "dev",
      "--port",
      String(this.port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      this.stateDir,
      "--env-file",
      this.opts.envFile ?? DEV_VARS_EXAMPLE,
      "--inspector-port",
      String(inspectorPort),
      "--show-interactive-dev-session=false",
      ...vars,
    ];
    const owners = (this.opts.owners ?? [process.pid]).join(",");
    const child = spawn(process.execPath, ["-e", LEASH, owners, ...wrangler], {
      cwd: ROOT,
      detached: true,
      stdio: this.opts.stdio ?? "ignore",
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        // Miniflare fetches a real request.cf from workers.cloudflare.com at every start and, offline,
        // prints a warning with a stack trace (twice). Locally the region comes from ?region=
        // (ALLOW_REGION_OVERRIDE), so its documented placeholder is all we need, online or not.
        CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
      },
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
      try {
        const up = (await fetch(`${this.base}/health`)).ok;
        // Another process that took the port after the check above answers too: not ours.
        if (up && child.exitCode === null && child.pid && listenerInGroup(this.port, child.pid) !== false)
          return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`wrangler dev did not answer on ${this.base} within ${timeoutMs / 1000} s`);
  }

  /** SIGKILL to the whole process group: no graceful shutdown, no flush. */
  async kill9(): Promise<void> {
    await this.signal("SIGKILL");
  }

  /** A polite stop (Ctrl-C), falling back to SIGKILL after a few seconds. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => this.signal("SIGKILL"), 5000);
    await this.signal("SIGINT");
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
      this.child = null;
      return;
    }
    const exited = this.exit;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
    await exited;
    this.child = null;
    // The group's leader has exited; its workerd may hold the port a moment longer. A restart
    // on the same port (the chaos kill -9) must not find it busy with the stack it just killed.
    for (let waited = 0; waited < 5000 && !(await portIsFree(this.port)); waited += 50)
      await new Promise((r) => setTimeout(r, 50));
  }

  /** POSTs events to the webhook, signed with the development secret. */
  ingest(events: ProviderEvent[]): Promise<Response> {
    return postSignedBatch(this.base, events);
  }

  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.base}${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }
}
