import { describe, expect, it } from "vitest";
import { STYLES } from "../../../web/src/embed/styles.ts";

/** WCAG 2 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** Each theme's `--_name:#rrggbb` run of defaults, in the order the stylesheet declares them. */
function themes(): Record<string, string>[] {
  return [...STYLES.matchAll(/(?:--_[a-z]+:#[0-9a-f]{6};?)+/g)].map((run) =>
    Object.fromEntries(
      [...run[0].matchAll(/--_([a-z]+):(#[0-9a-f]{6})/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    ),
  );
}

/** The widget's built-in themes keep every text colour readable on their background (WCAG AA, 4.5:1). */
describe("the widget's themes", () => {
  const all = themes();

  it("are light, dark by attribute, and dark by prefers-color-scheme", () => {
    expect(all.map((t) => t.bg)).toEqual(["#ffffff", "#15181d", "#15181d"]);
  });

  it.each(all.map((t, i) => [i, t] as const))(
    "theme %i: text, muted text, links, messages and the live dot ≥ 4.5:1",
    (_, t) => {
      for (const name of ["fg", "muted", "accent", "warn", "live"]) {
        const fg = t[name];
        if (!fg || !t.bg) throw new Error(`--_${name} or --_bg missing`);
        expect(contrast(fg, t.bg), `--_${name} ${fg} on ${t.bg}`).toBeGreaterThanOrEqual(4.5);
      }
    },
  );
});
