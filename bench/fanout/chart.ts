/**
 * A small SVG bar chart of one run: per system, p50 and p99 of the end-to-end latency and of
 * the fan-out spread (the two measures no ack ordering can push below zero). Hand-drawn SVG,
 * so the chart needs no plotting dependency and diffs as text.
 */
import type { ScenarioResult } from "./scenario.ts";
import type { ScenarioName } from "./workload.ts";

const COLORS = { p50: "#4e79a7", p99: "#f28e2b" } as const;

export function svgChart(
  title: string,
  results: Partial<Record<ScenarioName, ScenarioResult | null>>,
): string {
  const rows = Object.entries(results).filter((e): e is [string, ScenarioResult] => e[1] != null);
  const groups = [
    { label: "end to end (POST sent → arrival)", pick: (r: ScenarioResult) => r.all.fromPost },
    { label: "fan-out spread (first → each arrival)", pick: (r: ScenarioResult) => r.all.fromFirst },
  ];
  const max = Math.max(1, ...rows.flatMap(([, r]) => groups.map((g) => g.pick(r).p99)));
  const barH = 12;
  const left = 110;
  const width = 640;
  const scale = (width - left - 70) / max;
  const parts: string[] = [];
  let y = 40;
  for (const g of groups) {
    parts.push(`<text x="10" y="${y}" font-weight="bold">${g.label}, ms</text>`);
    y += 10;
    for (const [name, r] of rows) {
      const s = g.pick(r);
      parts.push(`<text x="10" y="${y + barH + 4}">${name}</text>`);
      for (const key of ["p50", "p99"] as const) {
        const v = Math.max(0, s[key]);
        parts.push(
          `<rect x="${left}" y="${y}" width="${(v * scale).toFixed(1)}" height="${barH - 1}" fill="${COLORS[key]}"/>`,
          `<text x="${(left + v * scale + 4).toFixed(1)}" y="${y + barH - 2}" font-size="10">${key} ${s[key].toFixed(0)}</text>`,
        );
        y += barH;
      }
      y += 6;
    }
    y += 20;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14">${title}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
