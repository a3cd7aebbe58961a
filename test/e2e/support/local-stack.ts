import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderEvent } from "../../../origin/scoring/index.ts";
import { signPayload } from "../../../origin/signature.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
/** The development secret from .dev.vars.example, which the stack runs with here. */
export const DEV_SECRET = "dev-ingest-secret";
export const DEV_ADMIN = { authorization: "Bearer dev-admin-token" };

/** A free loopback port, so parallel runs and a developer's own `npm start` do not collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), "crease-e2e-"));
}

/**
 * `wrangler dev` with local persistence in its own process group, so the test can kill -9
 * the whole runtime (wrangler and workerd) the way a crash would.
 */
export class LocalStack {
  private child: ChildProcess | null = null;
  readonly base: string;

  constructor(
    readonly port: number,
    readonly stateDir: string,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
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
        ".dev.vars.example",
        "--show-interactive-dev-session=false",
      ],
      { cwd: ROOT, detached: true, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
      try {
        if ((await fetch(`${this.base}/health`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`wrangler dev did not answer on ${this.base} within ${timeoutMs} ms`);
  }

  /** SIGKILL to the whole process group: no graceful shutdown, no flush. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.kill9();
  }

  async ingest(events: ProviderEvent[]): Promise<Response> {
    const body = JSON.stringify({ events });
    const signature = await signPayload(DEV_SECRET, body, Math.floor(Date.now() / 1000));
    return fetch(`${this.base}/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-crease-signature": signature },
      body,
    });
  }

  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.base}${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }
}
