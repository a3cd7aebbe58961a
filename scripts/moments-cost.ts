/**
 * What moments cost the ledger per version, on the Test fixtures: the ledger runs
 * `MomentTracker.step` on every committed version (one event per write in a live feed), so
 * this replays each Test and times the step alone, version by version (the state is computed
 * first and not timed). Prints the mean and the 99th percentile, after a warm-up pass, and
 * the cost of the first version after an eviction (every innings walked, nothing cached).
 *
 *   npx tsx scripts/moments-cost.ts [fixture ids…]     default: the Tests 1122725 1322356 1389401
 */
import { join } from "node:path";
import { readCricsheetFile } from "../cricsheet/read-file.ts";
import { apply, emptyState, type MatchState, MomentTracker, momentsOf } from "../scoring/index.ts";

const ids = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["1122725", "1322356", "1389401"];

for (const id of ids) {
  const events = readCricsheetFile(join(import.meta.dirname, "..", "fixtures", "cricsheet", `${id}.json`));
  // Fresh states for each pass: the engine caches an innings' moments on the innings object, as
  // the live ledger does between versions, so a pass over states already walked would time nothing.
  const replayStates = () => {
    let state = emptyState(events[0]?.matchId ?? id);
    return events.map((event) => {
      state = apply(state, event);
      return state;
    });
  };
  const run = () => {
    const states = replayStates();
    const tracker = new MomentTracker();
    const times: number[] = [];
    let moments = 0;
    events.forEach((event, i) => {
      const t0 = performance.now();
      moments += tracker.step(states[i] as MatchState, event).length;
      times.push(performance.now() - t0);
    });
    return { times, moments };
  };
  run(); // warm-up: the JIT, and the per-innings cache of the first pass's states
  const { times, moments } = run();
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
  const cold = JSON.parse(JSON.stringify(replayStates().at(-1))) as MatchState; // as read back from a snapshot
  const c0 = performance.now();
  momentsOf(cold);
  const coldMs = performance.now() - c0;
  console.log(
    `${id}: ${events.length} versions, ${moments} moments; per version mean ${(mean * 1000).toFixed(0)} µs, ` +
      `p99 ${(p99 * 1000).toFixed(0)} µs; first version after an eviction ${coldMs.toFixed(2)} ms`,
  );
}
