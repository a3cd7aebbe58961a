/**
 * Bytes on the wire per version: the JSON Patch a ball produces against the full state it
 * replaces, and a byte-level delta (fossil-delta) for comparison. Replays real matches through
 * the engine, one event per version, exactly as the ledger publishes them.
 *
 *   npx tsx bench/patch-size.ts [fixture ids...]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import jsonPatch from "fast-json-patch";
import { createDelta } from "fossil-delta";
import { cricsheetToEvents } from "../cricsheet/index.ts";
import { apply, emptyState } from "../scoring/index.ts";

const ids = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["1175359", "1144530", "1322356"];
const encoder = new TextEncoder();
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const rows: Record<string, string | number>[] = [];
for (const id of ids) {
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "fixtures", "cricsheet", `${id}.json`), "utf8"),
  );
  const events = cricsheetToEvents(file, { matchId: `m-${id}` });
  let state = emptyState(`m-${id}`);
  const patchBytes: number[] = [];
  const deltaBytes: number[] = [];
  const stateBytes: number[] = [];
  for (const event of events) {
    const next = apply(state, event);
    const message = JSON.stringify({
      type: "patch",
      matchId: next.matchId,
      seq: event.seq,
      prev: state.seq,
      ops: jsonPatch.compare(state, next),
    });
    const before = encoder.encode(JSON.stringify(state));
    const after = encoder.encode(JSON.stringify(next));
    patchBytes.push(encoder.encode(message).length);
    deltaBytes.push(createDelta(before, after).length);
    stateBytes.push(after.length);
    state = next;
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const p = sorted(patchBytes);
  const d = sorted(deltaBytes);
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  rows.push({
    match: `${id} (${file.info.match_type})`,
    versions: events.length,
    "final state bytes": stateBytes.at(-1) ?? 0,
    "JSON Patch p50": quantile(p, 0.5),
    "JSON Patch p95": quantile(p, 0.95),
    "JSON Patch mean": mean(patchBytes),
    "fossil-delta p50": quantile(d, 0.5),
    "fossil-delta mean": mean(deltaBytes),
    "patch / state (mean)": `${((100 * mean(patchBytes)) / mean(stateBytes)).toFixed(2)}%`,
  });
}
console.table(rows);
console.log(JSON.stringify(rows));
