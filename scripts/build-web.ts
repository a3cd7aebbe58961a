/**
 * `npm run build:web`: bundles the pages' scripts (web/src/*-page.ts) for browsers into
 * web/public/build/, beside the HTML and CSS that the Worker serves as static assets, and the
 * embeddable widget (web/src/embed/) into web/public/embed/. Also run by wrangler itself
 * ([build] in wrangler.toml) before `wrangler dev` and `wrangler deploy`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./local-stack.ts";

const PAGES = ["list-page", "match-page", "ops-page", "embed-page"];

/**
 * Source maps publish the pages' whole source next to them, so they are built only when asked
 * (`CREASE_SOURCE_MAPS=1`, e.g. in a local `.dev.vars`-style shell): a deploy serves none.
 */
const SOURCE_MAPS = process.env.CREASE_SOURCE_MAPS === "1";
const OUT_DIR = join(ROOT, "web", "public", "build");
const EMBED_DIR = join(ROOT, "web", "public", "embed");
/** The widget's URLs: the immutable one (its name carries its content hash) and the stable alias. */
export const EMBED_ALIAS = "/embed/crease-embed.js";
export const EMBED_VERSIONED_DIR = "/embed/v1/";

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
  const pages = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, out]) => [file, out.bytes]),
  );
  return { ...pages, ...(await buildEmbed()) };
}

/**
 * The widget: one classic script (an IIFE, so `<script src>` needs no `type="module"` and
 * `document.currentScript` tells it where it came from), written twice: under its content hash in
 * embed/v1/ (served immutable: web/public/_headers) and as the alias embed/crease-embed.js
 * (revalidated after a few minutes). embed/manifest.json names the current versioned file for the
 * /embed page. Older versioned files are removed: a deploy serves only the current build anyway.
 */
async function buildEmbed(): Promise<Record<string, number>> {
  const result = await build({
    entryPoints: [join(ROOT, "web", "src", "embed", "crease-embed.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "warning",
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error("the widget's build wrote nothing");
  const name = `crease-embed.${createHash("sha256").update(code).digest("hex").slice(0, 12)}.js`;
  const versionedDir = join(EMBED_DIR, "v1");
  mkdirSync(versionedDir, { recursive: true });
  writeFileSync(join(versionedDir, name), code);
  writeFileSync(join(EMBED_DIR, "crease-embed.js"), code);
  const manifest = { script: `${EMBED_VERSIONED_DIR}${name}`, alias: EMBED_ALIAS };
  writeFileSync(join(EMBED_DIR, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  for (const old of readdirSync(versionedDir))
    if (old !== name) rmSync(join(versionedDir, old), { force: true });
  return { [manifest.script]: code.length, [EMBED_ALIAS]: code.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outputs = await buildWeb();
  for (const [file, bytes] of Object.entries(outputs))
    if (file.endsWith(".js")) console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
}
