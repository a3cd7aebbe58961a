/**
 * `npm run build:web`: bundles the pages' scripts (web/src/*-page.ts) for browsers into
 * web/public/build/, beside the HTML and CSS that the Worker serves as static assets. Also run
 * by wrangler itself ([build] in wrangler.toml) before `wrangler dev` and `wrangler deploy`.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./local-stack.ts";

const PAGES = ["list-page", "match-page", "ops-page"];

/**
 * Source maps publish the pages' whole source next to them, so they are built only when asked
 * (`CREASE_SOURCE_MAPS=1`, e.g. in a local `.dev.vars`-style shell): a deploy serves none.
 */
const SOURCE_MAPS = process.env.CREASE_SOURCE_MAPS === "1";
const OUT_DIR = join(ROOT, "web", "public", "build");

/** Bundles every page; returns the bytes written per file. */
export async function buildWeb(): Promise<Record<string, number>> {
  const result = await build({
    entryPoints: PAGES.map((p) => join(ROOT, "web", "src", `${p}.ts`)),
    outdir: OUT_DIR,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: SOURCE_MAPS ? "linked" : false,
    metafile: true,
    logLevel: "warning",
  });
  // A map left by an earlier build with maps on would still be served. Only maps are removed,
  // after the build: the pages themselves are overwritten in place, never missing for a moment
  // (a running stack serves them while other tools rebuild).
  if (!SOURCE_MAPS) {
    for (const name of readdirSync(OUT_DIR))
      if (name.endsWith(".map")) rmSync(join(OUT_DIR, name), { force: true });
  }
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, out]) => [file, out.bytes]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outputs = await buildWeb();
  for (const [file, bytes] of Object.entries(outputs))
    if (file.endsWith(".js")) console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
}
