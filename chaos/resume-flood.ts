/**
 * One socket stops reading and sends 1,500 `resume` frames (issue 12, finding 3) while 20
 * library viewers on the same room follow a match: their delivery latency must not move, the
 * provider's POSTs must all succeed, and the flooding socket must be closed (1008, "rate
 * limited").
 *
 * An A/B/A on one stack, as in stalled-client: the same stretch of a real match is replayed
 * three times at the same cadence into three matches; in the middle run the flood comes when
 * the match is past the room's ring (64 patches), so every resume from seq 2 is one the ledger
 * has to answer, and every other one names another epoch, so it asks for a snapshot. Over the
 * 50 versions from the flood on, fails if the p99 with the flood exceeds the larger p99
 * without it by 100 ms or more, on any missed version or failed POST, or if the flooder is
 * still open. (Before the meter: the flooder stayed open, read back 36 MB, and the others'
 * worst delivery went from ~120 ms to 1.4 s.)
 *
 * Latency is timed from the moment the webhook request is sent (the viewers often have the
 * version before the provider has its 2xx).
 */
import type { Socket } from "node:net";
import type { ProviderEvent } from "../scoring/index.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { matchEvents } from "./support/match.ts";
import { runScenario } from "./support/scenario.ts";
import { quantile } from "./support/stats.ts";
import { rawViewerSocket, timedViewers } from "./support/timed-viewers.ts";
import { sleep, until } from "./support/wait.ts";

const VIEWERS = 20;
const CADENCE_MS = 40;
/** The first 10 events go in one batch before anyone joins, then one version per event. */
const EVENTS = 160;
/** Past the ring (64 versions) by then: a resume from seq 2 has to come from the ledger. */
const FLOOD_AT = 90;
/**
 * The stretch measured, in every run: the 50 versions (2–3 s) from the flood on, where its
 * harm would be. Over a longer stretch a few seconds' delay hides under the p99.
 */
const MEASURED = 50;
const FLOOD_FRAMES = 1500;
const BOUND_MS = 100;

interface RunResult {
  latencies: number[];
  missing: number;
  failedPosts: number;
  /** The flooder's close as it found it once it read again, its frames read, or null without a flood. */
  flooder: { end: string; frames: number; bytes: number } | null;
}

await runScenario("resume-flood", async (seed, cleanup) => {
  const random = seededRandom(seed);
  // The defaults throughout: the meter, the snapshot cooldown and the ring are what production runs.
  const stack = await freshStack(cleanup);

  const run = async (matchId: string, flood: boolean): Promise<RunResult> => {
    const events = matchEvents(matchId).slice(0, EVENTS);
    const sends = new Map<number, number>();
    let failedPosts = 0;
    const post = async (slice: ProviderEvent[]) => {
      const sent = performance.now();
      const res = await stack.ingest(slice);
      if (res.status === 200) for (const e of slice) sends.set(e.seq, sent);
      else failedPosts++;
      await res.body?.cancel();
    };
    await post(events.slice(0, 10));

    const { viewers, arrivals } = timedViewers(stack.base, matchId, VIEWERS);
    // The flooder: a raw socket on the same room (weur, shard 0), the viewers' neighbour.
    const raw = rawViewerSocket(stack.base, matchId);
    let rawEpoch: string | null = null;
    let rawFrames = 0;
    let rawBytes = 0;
    let rawEnd = "open";
    raw.on("close", (code, reason) => {
      rawEnd = `${code} ${reason.toString()}`.trim();
    });
    raw.on("message", (data: Buffer) => {
      rawFrames++;
      rawBytes += data.length;
      const msg = JSON.parse(String(data)) as { type: string; epoch?: string };
      if (msg.type === "snapshot" && msg.epoch) rawEpoch = msg.epoch;
    });
    const rawSocket = () => (raw as unknown as { _socket: Socket })._socket;
    try {
      await until(
        () => viewers.every((v) => v.seq === 10) && rawEpoch !== null,
        30_000,
        `${matchId}: everyone at seq 10`,
      );
      for (let i = 10; i < events.length; i++) {
        if (flood && i === FLOOD_AT) {
          // Stop reading (the kernel buffers fill, as a hostile client that never reads), then
          // send everything at once: half from far behind the ring, half from another history.
          rawSocket().pause();
          rawFrames = 0;
          rawBytes = 0;
          for (let f = 0; f < FLOOD_FRAMES; f++)
            raw.send(JSON.stringify({ type: "resume", since: 2, epoch: f % 2 === 0 ? rawEpoch : "bogus" }));
        }
        const started = performance.now();
        await post(events.slice(i, i + 1));
        await sleep(Math.max(0, CADENCE_MS + Math.floor(random() * 20) - (performance.now() - started)));
      }
      const last = events.at(-1)?.seq ?? 0;
      await until(
        () => viewers.every((v) => (v.seq ?? 0) >= last),
        30_000,
        `${matchId}: every viewer at seq ${last}`,
      );
      const latencies: number[] = [];
      for (const seen of arrivals.values())
        for (const e of events.slice(FLOOD_AT, FLOOD_AT + MEASURED)) {
          const sent = sends.get(e.seq);
          const at = seen.get(e.seq);
          if (sent !== undefined && at !== undefined) latencies.push(at - sent);
        }
      const missing = viewers.filter((v) => (arrivals.get(v)?.size ?? 0) < events.length - 10).length;
      let flooder: RunResult["flooder"] = null;
      if (flood) {
        // Read again, to see what the room sent the flooder and how it ended.
        rawSocket().resume();
        await until(() => rawEnd !== "open", 10_000, "the flooder's close").catch(() => {});
        flooder = { end: rawEnd, frames: rawFrames, bytes: rawBytes };
      }
      return { latencies, missing, failedPosts, flooder };
    } finally {
      for (const v of viewers) v.close();
      raw.terminate();
    }
  };

  const control = await run("chaos-flood-control-1", false);
  const flooded = await run("chaos-flood", true);
  const control2 = await run("chaos-flood-control-2", false);
  const p99Control = Math.max(quantile(control.latencies, 0.99), quantile(control2.latencies, 0.99));
  const p99Flood = quantile(flooded.latencies, 0.99);
  const within = p99Flood - p99Control < BOUND_MS;
  const missing = control.missing + flooded.missing + control2.missing;
  const failedPosts = control.failedPosts + flooded.failedPosts + control2.failedPosts;
  const closed = flooded.flooder?.end.startsWith("1008") === true;
  const ok = within && missing === 0 && failedPosts === 0 && closed;
  const f = (x: number) => x.toFixed(1);
  const describe = (r: RunResult) =>
    `p50=${f(quantile(r.latencies, 0.5))} p99=${f(quantile(r.latencies, 0.99))} max=${f(quantile(r.latencies, 1))} ms (n=${r.latencies.length})`;
  const fl = flooded.flooder;
  return {
    ok,
    line:
      `viewers=${VIEWERS}+1 events=${EVENTS} flood=${FLOOD_FRAMES} resumes at seq ${FLOOD_AT - 9}, measured over the next ${MEASURED} versions; ` +
      `flooder: closed "${fl?.end}" after ${fl?.frames} frames (${((fl?.bytes ?? 0) / 1024).toFixed(0)} KiB) read back; ` +
      `missing=${missing} failedPosts=${failedPosts}; send→arrival: without ${describe(control)}; ` +
      `with flood ${describe(flooded)}; without again ${describe(control2)}; ` +
      `p99 change ${f(p99Flood - p99Control)} ms (bound < ${BOUND_MS})${within ? "" : " TOO SLOW"}`,
  };
});
