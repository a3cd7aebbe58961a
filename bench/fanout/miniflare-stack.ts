/**
 * Crease on workerd without `wrangler dev`'s proxy: the Worker bundled as `wrangler deploy`
 * would ship it, run by Miniflare with the bindings read from wrangler.toml. Subscribers then
 * talk to workerd itself, so the proxy's ~7 file descriptors per WebSocket (it tops out near
 * 2,800 sockets) no longer cap N. Same interface as LocalStack for what the bench needs, and,
 * for the herd (bench/herd.ts), a kill -9 of the workerd it started and a restart on the same
 * port and the same persisted state.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import type { ProviderEvent } from "../../scoring/index.ts";
import { freePort, postSignedBatch, ROOT, tempStateDir } from "../../scripts/local-stack.ts";
import { descendants } from "../herd/procs.ts";

/** KEY=VALUE lines of a project's .dev.vars.example (Crease's), the values every local run uses. */
function devVars(root: string): Record<string, string> {
  const vars: Record<string, string> = {};
  const file = join(root, ".dev.vars.example");
  if (!existsSync(file)) return vars;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2];
  }
  return vars;
}

/** The `main` entry of a wrangler.toml. */
function mainOf(project: string): string {
  const main = /^main\s*=\s*"([^"]+)"/m.exec(readFileSync(join(project, "wrangler.toml"), "utf8"))?.[1];
  if (!main) throw new Error(`${project}/wrangler.toml: no main`);
  return main;
}

export interface MiniflareStackOptions {
  /** Listen here (default: a free port, chosen once and kept across restarts). */
  port?: number;
  /** Persist Durable Objects and KV here (default: a fresh temporary directory, removed by stop()). */
  stateDir?: string;
  /** Values on top of wrangler.toml's and .dev.vars.example's (like `--var NAME:VALUE`). */
  vars?: Record<string, string>;
  /**
   * The folder holding the Worker's wrangler.toml (default: Crease's own). The bench's peers
   * (bench/fanout/partyserver/, bench/fanout/bare/) run the same way, so every system under
   * test shares one runtime and no proxy.
   */
  project?: string;
  /** The Worker's name in Miniflare (default "crease"). */
  name?: string;
}

const workerdPids = (): Set<number> =>
  new Set(
    descendants()
      .filter((p) => p.name === "workerd")
      .map((p) => p.pid),
  );

export class MiniflareStack {
  private mf: Miniflare | null = null;
  private dirs: string[] = [];
  private outdir: string | null = null;
  private port: number | null;
  private stateDir: string | null;
  /** The workerd processes the running Miniflare started (found in /proc, see kill9()). */
  private pids = new Set<number>();
  base = "";

  private readonly project: string;

  constructor(private readonly opts: MiniflareStackOptions = {}) {
    this.project = opts.project ?? ROOT;
    this.port = opts.port ?? null;
    this.stateDir = opts.stateDir ?? null;
  }

  /**
   * Bundles the Worker (once) and runs it; called again after kill9() or stop() it restarts on
   * the same port with the same persisted state and the same bundle.
   */
  async start(): Promise<void> {
    if (this.mf) throw new Error("MiniflareStack: already running");
    if (!this.outdir) {
      const outdir = mkdtempSync(join(tmpdir(), "crease-bundle-"));
      this.dirs.push(outdir);
      this.outdir = outdir;
      execFileSync(
        join(ROOT, "node_modules", ".bin", "wrangler"),
        ["deploy", "--dry-run", "--outdir", outdir],
        {
          cwd: this.project,
          stdio: "ignore",
          env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        },
      );
    }
    if (this.stateDir === null) {
      this.stateDir = tempStateDir();
      this.dirs.push(this.stateDir);
    }
    this.port ??= await freePort();
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(this.project, "wrangler.toml"));
    const before = workerdPids();
    this.mf = new Miniflare({
      ...workerOptions,
      name: this.opts.name ?? "crease",
      modules: true,
      // wrangler names the bundle after the entry point (workers/index.ts → index.js).
      scriptPath: join(this.outdir, `${basename(mainOf(this.project), extname(mainOf(this.project)))}.js`),
      modulesRoot: this.outdir,
      bindings: { ...workerOptions.bindings, ...devVars(this.project), ...this.opts.vars },
      host: "127.0.0.1",
      port: this.port,
      durableObjectsPersist: join(this.stateDir, "do"),
      kvPersist: join(this.stateDir, "kv"),
    } as ConstructorParameters<typeof Miniflare>[0]);
    const url = await this.mf.ready;
    this.base = url.origin;
    this.pids = new Set([...workerdPids()].filter((pid) => !before.has(pid)));
  }

  /**
   * SIGKILL to the workerd process(es) this stack started: no graceful shutdown, no flush, as a
   * crash would. Miniflare itself is then disposed (its runtime is already dead); start() brings
   * the stack back on the same port and state.
   */
  async kill9(): Promise<void> {
    for (const pid of this.pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 10_000;
    while ([...this.pids].some((pid) => workerdPids().has(pid)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    this.pids.clear();
    const mf = this.mf;
    this.mf = null;
    await mf?.dispose().catch(() => undefined);
  }

  /** The workerd processes running now (for memory readings). */
  runtimePids(): number[] {
    return [...this.pids];
  }

  ingest(events: ProviderEvent[]): Promise<Response> {
    return postSignedBatch(this.base, events);
  }

  async stop(): Promise<void> {
    await this.mf?.dispose();
    this.mf = null;
    this.pids.clear();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs = [];
    this.outdir = null;
    if (!this.opts.stateDir) this.stateDir = null;
    if (!this.opts.port) this.port = null;
  }
}
