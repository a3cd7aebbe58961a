/**
 * The local stack: `wrangler dev` with local persistence. Shared by `npm start`, `npm run dev`,
 * the end-to-end tests and the benchmarks, so they all run the stack the same way.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderEvent } from "../origin/scoring/index.ts";
import { signPayload } from "../origin/signature.ts";

export const ROOT = join(import.meta.dirname, "..");
export const STATE_DIR = join(ROOT, ".wrangler", "state");
/** The development values from .dev.vars.example, which every local run uses. */
export const DEV_SECRET = "dev-ingest-secret";
export const DEV_ADMIN = { authorization: "Bearer dev-admin-token" };

/** A fresh clone needs no manual step: development secrets come from the documented example. */
export function ensureDevVars(): void {
  const target = join(ROOT, ".dev.vars");
  if (!existsSync(target)) {
    copyFileSync(join(ROOT, ".dev.vars.example"), target);
    console.log("created .dev.vars from .dev.vars.example (development values only)");
  }
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

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), "crease-state-"));
}

/**
 * `wrangler dev` on loopback with local persistence, in its own process group, so a test can
 * kill -9 the whole runtime (wrangler and workerd) the way a crash would.
 */
export class LocalStack {
  private child: ChildProcess | null = null;
  readonly base: string;

  constructor(
    readonly port: number,
    readonly stateDir: string = STATE_DIR,
    private readonly opts: { stdio?: "ignore" | "inherit"; vars?: Record<string, string> } = {},
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const vars = Object.entries(this.opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    const child = spawn(
      join(ROOT, "node_modules", ".bin", "wrangler"),
      [
        "dev",
        "--port",
        String(this.port),
        "--ip",
        "127.0.0.1",
        "--persist-to",
        this.stateDir,
        "--env-file",
        join(ROOT, ".dev.vars.example"),
        "--show-interactive-dev-session=false",
        ...vars,
      ],
      {
        cwd: ROOT,
        detached: true,
        stdio: this.opts.stdio ?? "ignore",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
      try {
        if ((await fetch(`${this.base}/health`)).ok) return;
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
    if (!child?.pid || child.exitCode !== null) {
      this.child = null;
      return;
    }
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
    await exited;
    this.child = null;
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
