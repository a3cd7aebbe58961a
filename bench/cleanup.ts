/**
 * Shared plumbing for the bench scripts that can run on their own (`npx tsx bench/<name>.ts`) or
 * from `npm run bench`: a registry of what to stop if the run is cut short, a time limit plus
 * SIGINT/SIGTERM handling for a script's own CLI, and the "am I the entry point" check.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

const active = new Set<() => Promise<void> | void>();

/** Registers `stop` to be called by cleanupAll(); returns the function that unregisters it. */
export function onCleanup(stop: () => Promise<void> | void): () => void {
  active.add(stop);
  return () => {
    active.delete(stop);
  };
}

/** Stops everything still registered (stacks, child processes, sockets), ignoring errors. */
export async function cleanupAll(): Promise<void> {
  const stops = [...active];
  active.clear();
  await Promise.all(stops.map(async (stop) => await Promise.resolve(stop()).catch(() => undefined)));
}

/** True when the module at `moduleUrl` is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/**
 * For a script's own CLI: stop by itself after `limitMs`, and on Ctrl-C or SIGTERM, taking down
 * whatever it registered with onCleanup(); exits 2 either way.
 */
export function guardCli(name: string, limitMs: number): void {
  const abort = async (why: string) => {
    console.error(`${name}: ${why}, stopping`);
    await cleanupAll();
    process.exit(2);
  };
  setTimeout(() => abort(`over its ${Math.round(limitMs / 60_000)} minute limit`), limitMs).unref();
  process.once("SIGINT", () => abort("interrupted"));
  process.once("SIGTERM", () => abort("terminated"));
}
