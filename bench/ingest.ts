/**
 * Sustained ingest into the ledger, with the durability guarantee on (every 2xx is after the
 * SQLite commit), through the real stack under `wrangler dev`. Reports events per second for
 * one match at several batch sizes, and across many matches at once. Also run by the full mode
 * of `npm run bench` (runIngest).
 *
 *   npx tsx bench/ingest.ts [--matches 50] [--events 600]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cricsheetToEvents } from "../cricsheet/index.ts";
import type { ProviderEvent } from "../scoring/index.ts";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";
import { cleanupAll, guardCli, isMain, onCleanup } from "./cleanup.ts";

export interface IngestOptions {
  /** Matches ingested at once in the last scenario (default 50). */
  matches?: number;
  /** Events per match, at most (default 600; the many-matches scenario caps it at 100). */
  events?: number;
}

export interface IngestRow {
  scenario: string;
  events: number;
  seconds: string;
  "events/s": number;
}

export interface IngestResult {
  matches: number;
  events: number;
  results: IngestRow[];
  machine: { date: string; node: string };
}

export async function runIngest(opts: IngestOptions = {}): Promise<IngestResult> {
  const MATCHES = opts.matches ?? 50;
  const EVENTS = opts.events ?? 600;
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "fixtures", "cricsheet", "1144530.json"), "utf8"),
  );
  const eventsFor = (matchId: string) => cricsheetToEvents(file, { matchId }).slice(0, EVENTS);

  const stack = new LocalStack(await freePort(), tempStateDir());
  const unregister = onCleanup(() => stack.stop());
  const results: IngestRow[] = [];

  async function post(batch: ProviderEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const res = await stack.ingest(batch);
      await res.body?.cancel();
      if (res.status === 200) return;
      if (attempt > 5) throw new Error(`ingest answered ${res.status}`);
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * Math.random()));
    }
  }
  const row = (scenario: string, events: number, started: number): IngestRow => {
    const seconds = (performance.now() - started) / 1000;
    return { scenario, events, seconds: seconds.toFixed(2), "events/s": Math.round(events / seconds) };
  };

  try {
    await stack.start();
    for (const batchSize of [1, 10, 100]) {
      const events = eventsFor(`bench-one-${batchSize}`);
      const started = performance.now();
      for (let i = 0; i < events.length; i += batchSize) await post(events.slice(i, i + batchSize));
      results.push(row(`one match, batches of ${batchSize}, sequential`, events.length, started));
    }
    {
      // One match, 8 requests in flight (a provider retrying or a fan-in of feeds): the ledger serialises them.
      const events = eventsFor("bench-one-concurrent");
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < events.length) {
            const i = next;
            next += 1;
            await post(events.slice(i, i + 1));
          }
        }),
      );
      results.push(row("one match, single events, 8 in flight", events.length, started));
    }
    {
      const perMatch = Math.min(EVENTS, 100);
      const matches = Array.from({ length: MATCHES }, (_, m) =>
        eventsFor(`bench-many-${m}`).slice(0, perMatch),
      );
      const started = performance.now();
      await Promise.all(
        matches.map(async (events) => {
          for (let i = 0; i < events.length; i += 10) await post(events.slice(i, i + 10));
        }),
      );
      results.push(row(`${MATCHES} matches at once, batches of 10`, MATCHES * perMatch, started));
    }
  } finally {
    unregister();
    await stack.stop();
  }
  return {
    matches: MATCHES,
    events: EVENTS,
    results,
    machine: { date: new Date().toISOString(), node: process.version },
  };
}

/** The result as a Markdown table. */
export function ingestMarkdown(r: IngestResult): string {
  return [
    "| scenario | events | seconds | events/s |",
    "|---|---:|---:|---:|",
    ...r.results.map(
      (x) => `| ${x.scenario} | ${x.events} | ${x.seconds} | ${x["events/s"].toLocaleString("en")} |`,
    ),
  ].join("\n");
}

if (isMain(import.meta.url)) {
  guardCli("ingest", 600_000);
  const { values } = parseArgs({
    options: { matches: { type: "string", default: "50" }, events: { type: "string", default: "600" } },
  });
  try {
    const r = await runIngest({ matches: Number(values.matches), events: Number(values.events) });
    console.table(r.results);
    console.log(JSON.stringify({ machine: `2 cores, Node ${process.version}`, results: r.results }));
  } finally {
    await cleanupAll();
  }
}
