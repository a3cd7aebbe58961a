/**
 * The median of several `npm run bench` runs, with min–max: what docs/benchmarks.md reports
 * (one run is one sample; two cores shared by a runtime, a proxy and the subscribers make any
 * single run noisy). Each measure is taken per run, and each ratio against `ws` is taken per
 * run before its median, so a ratio always compares two systems of the same run.
 *
 *   npx tsx bench/median.ts bench/results/A-full.json bench/results/B-full.json bench/results/C-full.json
 */
import { readFileSync } from "node:fs";
import type { ScenarioResult } from "./fanout/scenario.ts";
import { SCENARIOS } from "./fanout/workload.ts";

interface Report {
  runtime: string;
  workload: { subscribers: number };
  machine: { date: string };
  results: Record<string, ScenarioResult | null>;
}

/** One headline measure: how to read it from a system's result, and which way is better. */
const MEASURES: {
  name: string;
  unit: string;
  read: (s: ScenarioResult) => number;
  higherIsBetter?: boolean;
  /** Decimals shown (default 0). */
  digits?: number;
}[] = [
  { name: "connect all", unit: "ms", read: (s) => s.connectMs },
  { name: "bytes per join p50", unit: "B", read: (s) => s.joinBytes?.p50 ?? Number.NaN },
  { name: "publish 2xx p50", unit: "ms", read: (s) => s.all.ack?.p50 ?? Number.NaN },
  { name: "publish 2xx p99", unit: "ms", read: (s) => s.all.ack?.p99 ?? Number.NaN },
  { name: "end to end p50", unit: "ms", read: (s) => s.all.fromPost.p50 },
  { name: "end to end p99", unit: "ms", read: (s) => s.all.fromPost.p99 },
  { name: "spread p99", unit: "ms", read: (s) => s.all.fromFirst.p99 },
  { name: "burst delivered", unit: "msg/s", read: (s) => s.burst.deliveredPerSecond, higherIsBetter: true },
  // Runs before issue 20 have no serverCpu: "–".
  { name: "CPU per join", unit: "ms", read: (s) => s.serverCpu?.perJoinMs ?? Number.NaN, digits: 2 },
  {
    name: "CPU per delivered frame",
    unit: "µs",
    read: (s) => s.serverCpu?.perFrameUs ?? Number.NaN,
    digits: 1,
  },
  {
    name: "server waiting for a core",
    unit: "s",
    read: (s) => s.serverCpu?.waitSeconds ?? Number.NaN,
    digits: 2,
  },
];

/** The systems each measure is divided by, within its own run, when the run has them. */
const BASES = ["ws", "partyserver", "bare"] as const;

function median(xs: number[]): number {
  const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "–");

export function medianReport(reports: Report[]): string {
  const seen = new Set(reports.flatMap((r) => Object.keys(r.results)));
  const systems = SCENARIOS.filter((s) => seen.has(s));
  const first = reports[0];
  const lines = [
    `${reports.length} runs, ${first?.workload.subscribers} subscribers, Crease on ${first?.runtime}: ${reports.map((r) => r.machine.date).join(", ")}. Median (min–max); each × ws, × partyserver, × bare is the median of each run's own ratio.`,
    "",
    `| measure | ${systems.join(" | ")} |`,
    `|---|${systems.map(() => "---:").join("|")}|`,
  ];
  for (const m of MEASURES) {
    const cells = systems.map((system) => {
      const values = reports.map((r) => {
        const s = r.results[system];
        return s ? m.read(s) : Number.NaN;
      });
      const ratioTo = (base: string) =>
        median(
          reports.map((r) => {
            const s = r.results[system];
            const b = r.results[base];
            return s && b ? m.read(s) / m.read(b) : Number.NaN;
          }),
        );
      const finite = values.filter(Number.isFinite);
      if (finite.length === 0) return "–";
      const digits = m.digits ?? 0;
      const range = `${fmt(Math.min(...finite), digits)}–${fmt(Math.max(...finite), digits)}`;
      const ratios = BASES.filter((base) => base !== system && Number.isFinite(ratioTo(base))).map(
        (base) => `, ${fmt(ratioTo(base), 2)}× ${base}`,
      );
      return `${fmt(median(values), digits)} (${range})${ratios.join("")}`;
    });
    lines.push(`| ${m.name}, ${m.unit} | ${cells.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] === import.meta.filename) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    console.error("usage: npx tsx bench/median.ts RESULT.json [RESULT.json ...]");
    process.exit(2);
  }
  process.stdout.write(medianReport(paths.map((p) => JSON.parse(readFileSync(p, "utf8")) as Report)));
}
