import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * What a browser downloads, built as the pages are built (esbuild, minified, for browsers) and
 * gzipped, so a dependency cannot bloat them silently. Each still validates every server frame,
 * with the JSON Schema generated from the server's zod schemas (protocol/wire-schemas.generated.ts,
 * read by protocol/json-schema-check.ts) instead of zod itself. Issue 13's goals: the client
 * library (the match feed and the ticker) ≤ 10 KiB, the match page ≤ 40 KiB; issue 14's: the
 * embeddable widget (both elements, the client library inside) ≤ 15 KB.
 */
const LIMITS_GZIP_BYTES = {
  "client/index.ts": 10 * 1024,
  "web/src/match-page.ts": 40 * 1024,
  "web/src/embed/crease-embed.ts": 15 * 1024,
} as const;

/** The widget is served as a classic script (scripts/build-web.ts), the rest as modules. */
const IIFE = new Set<string>(["web/src/embed/crease-embed.ts"]);

async function gzippedSize(entry: string): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: IIFE.has(entry) ? "iife" : "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`no output for ${entry}`);
  return gzipSync(output.contents).length;
}

describe("browser bundles stay within their limits", () => {
  it.each(Object.entries(LIMITS_GZIP_BYTES))("%s ≤ %d bytes gzipped", async (entry, limit) => {
    const size = await gzippedSize(entry);
    console.log(`${entry}: ${(size / 1024).toFixed(1)} KiB gzipped (limit ${(limit / 1024).toFixed(0)} KiB)`);
    expect(size).toBeLessThanOrEqual(limit);
  });
});
