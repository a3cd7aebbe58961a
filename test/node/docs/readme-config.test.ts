import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configDefaults } from "../../../config/crease-config.ts";

const ROOT = join(import.meta.dirname, "../../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const wrangler = readFileSync(join(ROOT, "wrangler.toml"), "utf8");

/** The README's configuration table: `| \`NAME\` | kind | default | meaning |`. */
const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (var|secret) \| ([^|]*) \|/gm)].map((m) => ({
  name: m[1] ?? "",
  kind: m[2] ?? "",
  written: (m[3] ?? "").trim(),
}));
const asDefault = (written: string) => (written === "(empty)" || written === "–" ? "" : written);
const tomlVars = Object.fromEntries(
  [...wrangler.matchAll(/^([A-Z_]+) = "([^"]*)"/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]),
);

describe("the README's configuration table", () => {
  const defaults = configDefaults();

  it("documents every variable the code reads, and only those", () => {
    const documented = rows.map((r) => r.name).sort();
    const read = [
      ...Object.keys(defaults),
      "VIEWER_TOKEN_SECRET",
      "UPSTASH_REDIS_REST_URL",
      "UPSTASH_REDIS_REST_TOKEN",
    ];
    for (const name of read)
      expect(documented, `${name} is read by the code but not documented`).toContain(name);
    for (const row of rows.filter((r) => r.kind === "var"))
      expect(Object.keys(defaults), `${row.name} is documented but not read`).toContain(row.name);
  });

  it.each(rows.filter((r) => r.kind === "var"))("$name: the README's default is the code's", (row) => {
    expect(asDefault(row.written)).toBe(defaults[row.name] ?? "");
  });

  it.each(rows.filter((r) => r.kind === "var" && r.name in tomlVars))(
    "$name: wrangler.toml ships the documented default",
    (row) => {
      expect(tomlVars[row.name]).toBe(asDefault(row.written));
    },
  );
});
