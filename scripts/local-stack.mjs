// Starting the local stack: what `npm run dev` and `npm start` share.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const STATE_DIR = join(ROOT, ".wrangler", "state");

/** A fresh clone needs no manual step: development secrets come from the documented example. */
export function ensureDevVars() {
  const target = join(ROOT, ".dev.vars");
  if (!existsSync(target)) {
    copyFileSync(join(ROOT, ".dev.vars.example"), target);
    console.log("created .dev.vars from .dev.vars.example (development values only)");
  }
}

/** Reads `--port N` (or `--port=N`) from argv; 8787 otherwise. */
export function portFrom(argv) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port") return Number(argv[i + 1]);
    if (arg?.startsWith("--port=")) return Number(arg.slice("--port=".length));
  }
  return 8787;
}

/**
 * Runs `wrangler dev` with local persistence, so the ledger's SQLite survives restarts
 * (and a kill -9: that is what the durability check relies on).
 */
export function startWrangler({ port, stdio = "inherit", extraArgs = [] }) {
  const bin = join(ROOT, "node_modules", ".bin", "wrangler");
  return spawn(
    bin,
    [
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      STATE_DIR,
      "--show-interactive-dev-session=false",
      ...extraArgs,
    ],
    { cwd: ROOT, stdio, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
}

/** Polls /health until the stack answers or the deadline passes. */
export async function waitUntilUp(port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the local stack did not answer on port ${port} within ${timeoutMs / 1000} s`);
}
