/**
 * The measurements that `npm run bench` runs after the fan-out scenarios in full mode (skipped
 * with --skip-extras, never in --quick): ingest rates (bench/ingest.ts), memory per idle socket
 * (bench/idle-memory.ts) and the herds (bench/herd.ts, 1,000 viewers, on the run's runtime), each
 * otherwise at its own CLI's defaults and each on a fresh local stack, one after the other. Each
 * script still runs on its own.
 */
import { type HerdResult, type HerdRuntime, herdMarkdown, runHerd } from "./herd.ts";
import { type IdleMemoryResult, idleMemoryMarkdown, runIdleMemory } from "./idle-memory.ts";
import { type IngestResult, ingestMarkdown, runIngest } from "./ingest.ts";

export const EXTRAS = ["ingest", "idleMemory", "herd"] as const;
export type ExtraName = (typeof EXTRAS)[number];

export interface ExtrasReport {
  ingest: IngestResult | null;
  idleMemory: IdleMemoryResult | null;
  herd: HerdResult | null;
  /** Why an extra did not run (it threw); absent when it ran. */
  errors: Partial<Record<ExtraName, string>>;
}

const runners: { [K in ExtraName]: (runtime: HerdRuntime) => Promise<NonNullable<ExtrasReport[K]>> } = {
  ingest: () => runIngest(),
  idleMemory: () => runIdleMemory(),
  herd: (runtime) => runHerd({ clients: 1000, runtime, timeoutSeconds: 60 }),
};

async function store<K extends ExtraName>(
  report: ExtrasReport,
  name: K,
  runtime: HerdRuntime,
): Promise<void> {
  const result: ExtrasReport[K] = await runners[name](runtime);
  report[name] = result;
}

/** Runs every extra in turn; one that throws is recorded as an error and the next one runs. */
export async function runExtras(runtime: HerdRuntime): Promise<ExtrasReport> {
  const report: ExtrasReport = { ingest: null, idleMemory: null, herd: null, errors: {} };
  for (const name of EXTRAS) {
    console.error(`bench: extra ${name}…`);
    const started = performance.now();
    try {
      await store(report, name, runtime);
      console.error(`bench: extra ${name} done in ${Math.round((performance.now() - started) / 1000)} s`);
    } catch (error) {
      report.errors[name] = String(error instanceof Error ? error.message : error);
      console.error(`bench: extra ${name} did not run: ${report.errors[name]}`);
    }
  }
  return report;
}

/** True when an extra did not run or the herd did not converge. */
export function extrasFailed(e: ExtrasReport): boolean {
  return Object.keys(e.errors).length > 0 || e.herd?.incomplete === true;
}

/** The Markdown section appended to the run's report. */
export function extrasMarkdown(e: ExtrasReport): string {
  const section = <T>(title: string, name: ExtraName, r: T | null, md: (r: T) => string) => [
    `## ${title}`,
    "",
    r ? md(r) : `Did not run: ${e.errors[name] ?? "unknown"}`,
    "",
  ];
  return `${[
    ...section("Ingest (bench/ingest.ts)", "ingest", e.ingest, ingestMarkdown),
    ...section(
      "Memory per idle socket (bench/idle-memory.ts)",
      "idleMemory",
      e.idleMemory,
      idleMemoryMarkdown,
    ),
    ...section("The herds: reconnect after kill -9, and the toss (bench/herd.ts)", "herd", e.herd, (h) =>
      [
        herdMarkdown(h),
        ...(h.incomplete ? ["", "**Some clients did not converge within the timeout.**"] : []),
      ].join("\n"),
    ),
  ].join("\n")}\n`;
}
