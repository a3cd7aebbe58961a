/** The Markdown half of a bench run: one table per phase, ratios against the `ws` floor. */
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
