import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STYLES } from "../../../web/src/embed/styles.ts";

const HEADERS = join(import.meta.dirname, "../../../web/public/_headers");

/** The headers `web/public/_headers` gives one exact path: its indented lines after the path line. */
function headersFor(path: string): Record<string, string> {
  const lines = readFileSync(HEADERS, "utf8").split("\n");
  const start = lines.indexOf(path);
  if (start < 0) throw new Error(`_headers has no rule for ${path}`);
  const found: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (!/^\s+\S/.test(line)) break;
    const colon = line.indexOf(":");
    found[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return found;
}

/** A policy as directive → sources. */
function directives(policy: string | undefined): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (policy ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed.set(name, sources);
  }
  return parsed;
}

describe("the pages' Content-Security-Policy (web/public/_headers; the browser check is test/e2e)", () => {
  it("lets the widget's shadow-root stylesheet into /embed by its hash, and nothing else inline", () => {
    // The widget appends one <style> holding STYLES; change the styles and this hash must follow.
    const hash = `'sha256-${createHash("sha256").update(STYLES, "utf8").digest("base64")}'`;
    const policy = directives(headersFor("/embed")["content-security-policy"]);
    expect(policy.get("style-src")).toEqual(["'self'", hash]);
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("default-src")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("keeps /ops (it holds the admin token) to its own origin and out of every frame", () => {
    const rule = headersFor("/ops");
    const policy = directives(rule["content-security-policy"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("default-src")).toEqual(["'none'"]);
    for (const name of ["script-src", "style-src", "connect-src"])
      expect(policy.get(name), name).toEqual(["'self'"]);
    expect(rule["x-frame-options"]).toBe("DENY");
  });
});
