import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

/** Paths the docs name that exist only once something has run (ignored by git), or outside the repository. */
const MADE_AT_RUN_TIME = [
  /^node_modules\//,
  /^\.wrangler\//,
  /^\.dev\.vars$/,
  /^test-results\//,
  /^dist\//,
  /^bench\/results\/local\//,
  /^\.\.\/shared\//,
  // The webhook receiver example, which docs/webhooks.md tells a reader to save under this name.
  /^receiver\.mjs$/,
];

/**
 * The repository paths a document writes in backticks: relative, with a file extension or a
 * trailing slash (`origin/ledger/sequencer.ts`, `docs/`), not routes (`/v1/...`), URLs or globs.
 */
function pathsIn(markdown: string): string[] {
  const found = new Set<string>();
  for (const [, token = ""] of markdown.matchAll(/`([^`\s]+)`/g)) {
    // `file.ts:120-140` names lines of a file; any other colon is a route or a command.
    const lines = /^(.+\.[a-z]+):\d+(-\d+)?$/.exec(token);
    if (token.includes(":") && !lines) continue;
    const path = (lines?.[1] ?? token).replace(/#.*$/, "").replace(/[),.;]+$/, "");
    if (path.startsWith("/") || /[*{}<>$~]/.test(path)) continue;
    if (!/^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/.test(path)) continue;
    // A placeholder segment (`fixtures/cricsheet/ID.json`) names a pattern, not a file.
    if (path.split("/").some((segment) => /^[A-Z]+(\.[a-z]+)?$/.test(segment) && !/\.md$/.test(segment)))
      continue;
    const looksLikeFile = /\.(ts|md|json|toml|html|css|js|mjs|png|sh|yml|yaml|txt|ndjson)$/.test(path);
    const looksLikeFolder = /^[a-z][a-z0-9-]*(\/[a-z0-9._-]+)*\/$/.test(path) && path.split("/").length > 1;
    if (!looksLikeFile && !looksLikeFolder) continue;
    if (path.startsWith(".") && !path.startsWith("./") && !path.startsWith("../")) {
      if (!/^\.(dev\.vars\.example|ci\/|gitignore)/.test(path)) continue;
    }
    found.add(path);
  }
  return [...found];
}

/** Every file's name in the repository (outside node_modules), for names written without their folder. */
function allBasenames(dir = ROOT, out = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === ".git" || entry.name === ".wrangler") continue;
    if (entry.isDirectory()) allBasenames(join(dir, entry.name), out);
    else out.add(entry.name);
  }
  return out;
}

const TOP_FOLDERS = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
  .map((e) => e.name);

/**
 * A path with a folder must exist from the repository's root, or from one of its top folders (a
 * table row under `origin/` may say `ledger/sequencer.ts`); a bare file name must name some file.
 */
function exists(path: string, basenames: Set<string>): boolean {
  if (MADE_AT_RUN_TIME.some((re) => re.test(path))) return true;
  if (!path.includes("/")) return basenames.has(path);
  return existsSync(join(ROOT, path)) || TOP_FOLDERS.some((top) => existsSync(join(ROOT, top, path)));
}

const documents = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("every repository path the docs name exists", () => {
  it("finds paths the way a reader would", () => {
    expect(
      pathsIn(
        "see `origin/ledger/sequencer.ts:10-20`, `docs/fan-out.md#x`, `scoring/`, `room.ts`, `/v1/matches`, " +
          "`npm test`, `a/*.ts`, `gaps/:fromSeq/acknowledge`, `fixtures/cricsheet/ID.json`",
      ),
    ).toEqual(["origin/ledger/sequencer.ts", "docs/fan-out.md", "scoring/", "room.ts"]);
  });

  const basenames = allBasenames();
  it.each(documents)("%s", (doc) => {
    const text = readFileSync(join(ROOT, doc), "utf8");
    const missing = pathsIn(text).filter((path) => !exists(path, basenames));
    expect(missing, `${doc} names paths that do not exist`).toEqual([]);
  });
});

describe("the code map names every Durable Object the deployment binds", () => {
  it("docs/architecture.md names each class_name of wrangler.toml", () => {
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const classes = [...toml.matchAll(/^class_name\s*=\s*"([^"]+)"/gm)].map((m) => m[1] ?? "");
    expect(classes.length).toBeGreaterThanOrEqual(6);
    const map = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
    expect(classes.filter((name) => !map.includes(`\`${name}\``))).toEqual([]);
  });
});
