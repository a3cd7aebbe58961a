/**
 * `npm run build:web`: bundles the pages' scripts (web/src/*-page.ts) for browsers into
 * web/public/build/, beside the HTML and CSS that the Worker serves as static assets. Also run
 * by wrangler itself ([build] in wrangler.toml) before `wrangler dev` and `wrangler deploy`.
 */
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./local-stack.ts";

const PAGES = ["list-page", "match-page", "ops-page"];

/** Bundles every page; returns the bytes written per file. */
export async function buildWeb(): Promise<Record<string, number>> {
  const result = await build({
    entryPoints: PAGES.map((p) => join(ROOT, "web", "src", `${p}.ts`)),
    outdir: join(ROOT, "web", "public", "build"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, out]) => [file, out.bytes]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outputs = await buildWeb();
  for (const [file, bytes] of Object.entries(outputs))
    if (file.endsWith(".js")) console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
}
