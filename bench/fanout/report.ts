/**
 * The Markdown half of a bench run: one table per phase, ratios against the `ws` floor, and
 * each system against its Durable Object peers on the same runtime (partyserver, a bare object)
 * with the servers' CPU per join and per delivered frame.
 */
import type { ScenarioResult } from "./scenario.ts";
import type { ScenarioName, Summary, Workload } from "./workload.ts";

interface Report {
  mode: string;
  runtime: string;
  workload: Workload;
  machine: Record<string, string | number>;
  results: Partial<Record<ScenarioName, ScenarioResult | null>>;
  errors: Partial<Record<ScenarioName, string>>;
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
/** A ratio only means something when both are positive: a negative latency is a race, not a time. */
const ratio = (x: number, floor: number | undefined) =>
  floor && floor > 0 && x > 0 ? `${(x / floor).toFixed(1)}×` : "–";

export function markdownReport(r: Report): string {
  const w = r.workload;
  const m = r.machine;
  const lines = [
    `# Fan-out benchmark, ${r.mode} mode, ${m.date}`,
    "",
    `Crease runtime: ${r.runtime === "miniflare" ? "workerd via Miniflare, no proxy" : "wrangler dev (workerd behind its local proxy)"}. ${w.subscribers} subscribers over ${w.processes} processes; ${w.steadyEvents} versions at ${w.steadyRate}/s (jittered), then ${w.burstEvents} back to back; seed ${w.seed}.`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB; Node ${m.node}; workerd ${m.workerd} (wrangler ${m.wrangler}); ws ${m.ws}; socket.io ${m.socketio}; partyserver ${m.partyserver}.`,
    "",
  ];
  const floor = r.results.ws ?? undefined;
  headline(lines, r.results, floor);
  againstPeers(lines, r.results);
  const table = (
    title: string,
    pick: (s: ScenarioResult) => { lat: Summary; floorLat?: Summary; rate?: number },
  ) => {
    lines.push(`## ${title}`, "");
    lines.push("| system | p50 ms | p95 ms | p99 ms | max ms | p50 / ws | p99 / ws | delivered msg/s |");
    lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const [name, s] of Object.entries(r.results) as [ScenarioName, ScenarioResult | null][]) {
      if (!s) {
        lines.push(`| ${name} | did not run: ${r.errors[name] ?? "unknown"} |||||||`);
        continue;
      }
      const { lat, rate } = pick(s);
      const f = floor ? pick(floor).lat : undefined;
      const bad = s.badSockets ? ` (**${s.badSockets} sockets failed the invariants**)` : "";
      lines.push(
        `| ${name}${bad} | ${ms(lat.p50)} | ${ms(lat.p95)} | ${ms(lat.p99)} | ${ms(lat.max)} | ${ratio(lat.p50, f?.p50)} | ${ratio(lat.p99, f?.p99)} | ${rate ?? "–"} |`,
      );
    }
    lines.push("");
  };
  table("All versions, from the publish's 2xx to each subscriber", (s) => ({ lat: s.all.fromAck }));
  table("All versions, from sending the publish to each subscriber (end to end)", (s) => ({
    lat: s.all.fromPost,
  }));
  table("All versions, from the version's first arrival to each subscriber (fan-out spread)", (s) => ({
    lat: s.all.fromFirst,
  }));
  table("Steady phase, from 2xx", (s) => ({ lat: s.steady.fromAck, rate: s.steady.deliveredPerSecond }));
  table("Burst phase, from 2xx", (s) => ({ lat: s.burst.fromAck, rate: s.burst.deliveredPerSecond }));
  table("Per version, from 2xx to the last subscriber (steady phase)", (s) => ({
    lat: s.steady.lastSubscriber,
  }));
  lines.push("## Publish round trip (POST to 2xx), steady phase", "");
  lines.push(
    "| system | p50 ms | p99 ms | max ms | connect all subscribers, ms |",
    "|---|---:|---:|---:|---:|",
  );
  for (const [name, s] of Object.entries(r.results)) {
    if (s)
      lines.push(
        `| ${name} | ${ms(s.steady.ack.p50)} | ${ms(s.steady.ack.p99)} | ${ms(s.steady.ack.max)} | ${ms(s.connectMs)} |`,
      );
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}

const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : "–");

/**
 * Issue 13's measures side by side, each system against the `ws` floor: the price of joining
 * (time, bytes), the provider's acknowledgement, end to end, spread and the burst.
 */
function headline(
  lines: string[],
  results: Partial<Record<ScenarioName, ScenarioResult | null>>,
  floor: ScenarioResult | undefined,
): void {
  lines.push("## Headline: each system against the plain `ws` floor", "");
  lines.push(
    "| system | connect all, ms | ÷ ws | bytes per join p50 | publish 2xx p50 / p99 ms | end to end p50 / p99 ms | ÷ ws (p99) | spread p99 ms | ÷ ws | burst msg/s | × ws |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const [name, s] of Object.entries(results) as [ScenarioName, ScenarioResult | null][]) {
    if (!s) continue;
    const ack = s.all.ack;
    const burstRatio =
      floor && floor.burst.deliveredPerSecond > 0
        ? `${(s.burst.deliveredPerSecond / floor.burst.deliveredPerSecond).toFixed(2)}×`
        : "–";
    lines.push(
      `| ${name} | ${ms(s.connectMs)} | ${ratio(s.connectMs, floor?.connectMs)} | ${kb(s.joinBytes?.p50 ?? Number.NaN)} | ${ms(ack.p50)} / ${ms(ack.p99)} | ${ms(s.all.fromPost.p50)} / ${ms(s.all.fromPost.p99)} | ${ratio(s.all.fromPost.p99, floor?.all.fromPost.p99)} | ${ms(s.all.fromFirst.p99)} | ${ratio(s.all.fromFirst.p99, floor?.all.fromFirst.p99)} | ${s.burst.deliveredPerSecond} | ${burstRatio} |`,
    );
  }
  lines.push(
    "",
    "Publish 2xx: every publish of the run (steady and burst), POST to 2xx. Bytes per join: what a subscriber received until its first frame was whole (for Crease the gzipped snapshot the client library asks for; Socket.IO's handshake is not visible to the harness).",
    "",
  );
}

/**
 * Issue 20's measures: each system ÷ partyserver and ÷ the bare Durable Object, in time (connect,
 * spread, end to end) and in the server's CPU per operation, which two shared cores disturb far
 * less than wall-clock time; the wait for a core says how busy the machine was.
 */
function againstPeers(lines: string[], results: Partial<Record<ScenarioName, ScenarioResult | null>>): void {
  const party = results.partyserver ?? undefined;
  const bare = results.bare ?? undefined;
  // Two decimals: the issue's goals sit at 1.0× and 1.3×.
  const r2 = (x: number, base: number | undefined) =>
    base && base > 0 && x > 0 ? `${(x / base).toFixed(2)}×` : "–";
  const both = (x: number, read: (s: ScenarioResult) => number) =>
    `${r2(x, party ? read(party) : undefined)} | ${r2(x, bare ? read(bare) : undefined)}`;
  const us = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : "–");
  lines.push("## Against the Durable Object peers, and what the server's CPU says", "");
  lines.push(
    "| system | connect all, ms | ÷ party | ÷ bare | spread p99 ms | ÷ party | ÷ bare | end to end p99 ms | ÷ party | ÷ bare | CPU per join, ms | ÷ party | ÷ bare | CPU per frame, µs | ÷ party | ÷ bare | CPU connect / steady / burst, s | waiting for a core, s |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  const join = (s: ScenarioResult) => s.serverCpu?.perJoinMs ?? Number.NaN;
  const frame = (s: ScenarioResult) => s.serverCpu?.perFrameUs ?? Number.NaN;
  for (const [name, s] of Object.entries(results) as [ScenarioName, ScenarioResult | null][]) {
    if (!s) continue;
    const c = s.serverCpu;
    lines.push(
      `| ${name} | ${ms(s.connectMs)} | ${both(s.connectMs, (p) => p.connectMs)} | ${ms(s.all.fromFirst.p99)} | ${both(s.all.fromFirst.p99, (p) => p.all.fromFirst.p99)} | ${ms(s.all.fromPost.p99)} | ${both(s.all.fromPost.p99, (p) => p.all.fromPost.p99)} | ${us(c?.perJoinMs)} | ${both(join(s), join)} | ${us(c?.perFrameUs)} | ${both(frame(s), frame)} | ${c ? `${c.connect} / ${c.steady} / ${c.burst}` : "–"} | ${c ? c.waitSeconds : "–"} |`,
    );
  }
  lines.push(
    "",
    "CPU: user + system seconds of the server's processes, every thread, from /proc (`bench/fanout/server-cpu.ts`): the workerd Miniflare spawned, both workerd processes of `wrangler dev` (its proxy and the Worker), or the Node server. Per join: connect CPU ÷ subscribers. Per frame: steady + burst CPU ÷ patch frames the subscribers received (Crease's include the signed ingest, the ledger's commit and the engine). Waiting: time the server's threads were runnable but not running, all three phases.",
    "",
  );
}
