/**
 * The import fences, run by `npm run check`: dependencies point one way, from the Worker's
 * routes down to the pure scoring engine, and never back up. Each top-level folder has a
 * rank; a file may import its own folder and folders of a lower rank, and some folders
 * only the few packages they need. Prints each violation as `file: import` and exits 1.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** Lower ranks are lower layers. Folders not listed (tests, scripts, bench, chaos) may import anything. */
const RANK: Record<string, number> = {
  scoring: 0,
  protocol: 1,
  client: 2,
  origin: 2,
  cricsheet: 2,
  edge: 2,
  config: 3,
  // The objects' SQLite stores: not pure, not Durable Objects; they may read config/ and the stages' types.
  storage: 3,
  "fast-read": 4,
  rpc: 4,
  web: 4,
  "durable-objects": 5,
  workers: 6,
};

/** Packages a fenced folder may import; absent means any package. */
const PACKAGES: Record<string, readonly string[]> = {
  scoring: [],
  protocol: ["zod", "fast-json-patch", "fossil-delta"],
  client: ["fast-json-patch", "fossil-delta", "zod"],
  // The Cricsheet adapter: a file of a real match in, provider events out; reading the file is its only I/O.
  cricsheet: ["zod", "node:fs", "node:path"],
};

/** Folders whose files must not import each other even at the same rank (stages, not layers). */
const FENCED_SIBLINGS = new Set(["client", "origin", "edge", "cricsheet"]);

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function folderOf(path: string): string {
  return relative(ROOT, path).split("/")[0] ?? "";
}

/** Every file of the fenced folders, with its folder and the specifiers it imports. */
function productFiles(): { folder: string; file: string; specs: string[] }[] {
  return Object.keys(RANK).flatMap((folder) => {
    let files: string[];
    try {
      files = filesUnder(join(ROOT, folder));
    } catch {
      return [];
    }
    return files.map((file) => ({
      folder,
      file,
      specs: [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? ""),
    }));
  });
}

export function violations(): string[] {
  const found: string[] = [];
  for (const { folder, file, specs } of productFiles()) {
    for (const spec of specs) {
      const where = `${relative(ROOT, file)}: ${spec}`;
      if (spec.startsWith(".")) {
        const target = folderOf(resolve(dirname(file), spec));
        if (target === folder) continue;
        const rank = RANK[target];
        if (rank === undefined) found.push(`${where} (imports ${target}/, outside the layers)`);
        else if (rank > (RANK[folder] ?? 0)) found.push(`${where} (imports upward, into ${target}/)`);
        else if (rank === RANK[folder] && (FENCED_SIBLINGS.has(folder) || FENCED_SIBLINGS.has(target)))
          found.push(`${where} (imports a sibling stage, ${target}/)`);
        else if (folder === "client" && target !== "protocol")
          found.push(`${where} (the client imports protocol/ only)`);
        else if (folder === "protocol" && target !== "scoring")
          found.push(`${where} (protocol imports scoring/ only)`);
        else if (folder === "scoring") found.push(`${where} (the engine imports nothing)`);
      } else {
        const allowed = PACKAGES[folder];
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? "");
        if (
          spec.startsWith("cloudflare:") &&
          (folder === "scoring" || folder === "protocol" || folder === "client")
        )
          found.push(`${where} (no platform imports here)`);
        else if (allowed && !spec.startsWith("cloudflare:") && !allowed.includes(pkg))
          found.push(`${where} (not among ${folder}/'s packages: ${allowed.join(", ") || "none"})`);
      }
    }
  }
  return found;
}

/**
 * Import cycles among the product's files (type-only imports included: a cycle of types is still
 * two files that cannot be read apart). Each cycle once, as `a.ts → b.ts → a.ts`.
 */
export function cycles(): string[] {
  const graph = new Map<string, string[]>();
  for (const { file, specs } of productFiles()) {
    graph.set(
      file,
      specs.filter((spec) => spec.startsWith(".")).map((spec) => resolve(dirname(file), spec)),
    );
  }
  const found = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") {
        const loop = stack.slice(stack.indexOf(next)).map((f) => relative(ROOT, f));
        const start = loop.indexOf([...loop].sort()[0] ?? "");
        const canonical = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...canonical, canonical[0]].join(" → "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return [...found];
}

if (process.argv[1] === import.meta.filename) {
  const loops = cycles();
  for (const line of loops) console.error(`import cycle: ${line}`);
  const found = violations();
  for (const line of found) console.error(line);
  if (found.length > 0) {
    console.error(`${found.length} import(s) cross a fence (scripts/check-imports.ts explains the layers)`);
  }
  if (found.length > 0 || loops.length > 0) process.exit(1);
}
