/**
 * Crease on workerd without `wrangler dev`'s proxy: the Worker bundled as `wrangler deploy`
 * would ship it, run by Miniflare with the bindings read from wrangler.toml. Subscribers then
 * talk to workerd itself, so the proxy's ~7 file descriptors per WebSocket (it tops out near
 * 2,800 sockets) no longer cap N. Same interface as LocalStack for what the bench needs.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import type { ProviderEvent } from "../../scoring/index.ts";
import { freePort, postSignedBatch, ROOT, tempStateDir } from "../../scripts/local-stack.ts";

/** KEY=VALUE lines of .dev.vars.example, the values every local run uses. */
function devVars(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, ".dev.vars.example"), "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2];
  }
  return vars;
}

export class MiniflareStack {
  private mf: Miniflare | null = null;
  private dirs: string[] = [];
  base = "";

  async start(): Promise<void> {
    const outdir = mkdtempSync(join(tmpdir(), "crease-bundle-"));
    execFileSync(
      join(ROOT, "node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "--outdir", outdir],
      {
        cwd: ROOT,
        stdio: "ignore",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
    const port = await freePort();
    const state = tempStateDir();
    this.dirs = [outdir, state];
    this.mf = new Miniflare({
      ...workerOptions,
      name: "crease",
      modules: true,
      scriptPath: join(outdir, "index.js"),
      modulesRoot: outdir,
      bindings: { ...workerOptions.bindings, ...devVars() },
      host: "127.0.0.1",
      port,
      durableObjectsPersist: join(state, "do"),
      kvPersist: join(state, "kv"),
    } as ConstructorParameters<typeof Miniflare>[0]);
    const url = await this.mf.ready;
    this.base = url.origin;
  }

  ingest(events: ProviderEvent[]): Promise<Response> {
    return postSignedBatch(this.base, events);
  }

  async stop(): Promise<void> {
    await this.mf?.dispose();
    this.mf = null;
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs = [];
  }
}
