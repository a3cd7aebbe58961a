/**
 * Sustained ingest into the ledger, with the durability guarantee on (every 2xx is after the
 * SQLite commit), through the real stack under `wrangler dev`. Reports events per second for
 * one match at several batch sizes, and across many matches at once.
 *
 *   npx tsx bench/ingest.ts [--matches 50] [--events 600]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cricsheetToEvents } from "../origin/cricsheet/index.ts";
import type { ProviderEvent } from "../origin/scoring/index.ts";
import { freePort, LocalStack, tempStateDir } from "../scripts/local-stack.ts";

const { values } = parseArgs({
  options: { matches: { type: "string", default: "50" }, events: { type: "string", default: "600" } },
});
const MATCHES = Number(values.matches);
const EVENTS = Number(values.events);
const file = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "fixtures", "cricsheet", "1144530.json"), "utf8"),
);
const eventsFor = (matchId: string) => cricsheetToEvents(file, { matchId }).slice(0, EVENTS);

const stack = new LocalStack(await freePort(), tempStateDir());
await stack.start();
const results: Record<string, string | number>[] = [];

async function post(batch: ProviderEvent[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await stack.ingest(batch);
    await res.body?.cancel();
    if (res.status === 200) return;
    if (attempt > 5) throw new Error(`ingest answered ${res.status}`);
    await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * Math.random()));
  }
}

try {
  for (const batchSize of [1, 10, 100]) {
    const events = eventsFor(`bench-one-${batchSize}`);
    const started = performance.now();
    for (let i = 0; i < events.length; i += batchSize) await post(events.slice(i, i + batchSize));
    const seconds = (performance.now() - started) / 1000;
    results.push({
      scenario: `one match, batches of ${batchSize}, sequential`,
      events: events.length,
      seconds: seconds.toFixed(2),
      "events/s": Math.round(events.length / seconds),
    });
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
    const seconds = (performance.now() - started) / 1000;
    results.push({
      scenario: "one match, single events, 8 in flight",
      events: events.length,
      seconds: seconds.toFixed(2),
      "events/s": Math.round(events.length / seconds),
    });
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
    const seconds = (performance.now() - started) / 1000;
    const total = MATCHES * perMatch;
    results.push({
      scenario: `${MATCHES} matches at once, batches of 10`,
      events: total,
      seconds: seconds.toFixed(2),
      "events/s": Math.round(total / seconds),
    });
  }
} finally {
  await stack.stop();
}
console.table(results);
console.log(JSON.stringify({ machine: `2 cores, Node ${process.version}`, results }));
