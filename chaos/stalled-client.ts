/**
 * One viewer stops reading (its socket paused after it acknowledged a version) while 100
 * others on the same room keep up: the others' delivery latency must stay flat.
 *
 * An A/B on one stack: the same stretch of a real match is replayed three times at the same
 * cadence, into three matches with 100 viewers and one raw-socket viewer each; in the middle
 * run the raw viewer stalls early. Same events, same state sizes, so the only difference is the
 * stall. Fails if the p50 with the stall exceeds 2× the larger p50 without plus 50 ms, or if any of
 * the 100 misses a version.
 *
 * Latency is timed from the moment the webhook request is sent: locally the patch reaches the
 * viewers before the 2xx reaches the provider (the ledger publishes as it commits), so
 * "2xx → arrival" would be negative and measure nothing; the share that beat the 2xx is
 * reported.
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

const VIEWERS = 100;
const CADENCE_MS = 40;
/** Events replayed per run: the first 10 before viewers join, then single-event posts. */
const EVENTS = 150;
const STALL_AFTER = 20;

interface RunResult {
  latencies: number[];
  beatTheAck: number;
  missing: number;
  failedPosts: number;
  stalledAt: number | null;
  /** How the raw socket ended: the close code it found once it read again, or "open". */
  rawEnd: string;
}

await runScenario("stalled-client", async (seed, cleanup) => {
  const random = seededRandom(seed);
  // Slow-reader policy shortened so the stall runs its course inside one run: conflated after
  // 2 s silent and 10 versions behind, closed after 4 s. The library viewers acknowledge every
  // 20 patches (about 1.2 s at this cadence), so they stay clear of it.
  const stack = await freshStack(cleanup, {
    ROOM_SLOW_AFTER_MS: "2000",
    ROOM_SLOW_CLOSE_AFTER_MS: "4000",
    ROOM_PRESENCE_INTERVAL_MS: "1000",
  });

  const run = async (matchId: string, stall: boolean): Promise<RunResult> => {
    const events = matchEvents(matchId).slice(0, EVENTS);
    const sends = new Map<number, number>();
    const acks = new Map<number, number>();
    let failedPosts = 0;
    const post = async (slice: ProviderEvent[]) => {
      const sent = performance.now();
      const res = await stack.ingest(slice);
      const at = performance.now();
      if (res.status === 200)
        for (const e of slice) {
          sends.set(e.seq, sent);
          acks.set(e.seq, at);
        }
      else failedPosts++;
      await res.body?.cancel();
    };
    await post(events.slice(0, 10));

    // Everyone in one room (weur, shard 0 at the default 2,000 sockets a room): the stalled
    // socket is the others' neighbour, which is where a blocking send would hurt.
    const { viewers, arrivals } = timedViewers(stack.base, matchId, VIEWERS);
    const raw = rawViewerSocket(stack.base, matchId);
    let rawSeq = -1;
    let rawEnd = "open";
    raw.on("close", (code) => {
      rawEnd = String(code);
    });
    raw.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { type: string; seq?: number };
      if (typeof msg.seq === "number" && msg.type !== "presence") rawSeq = msg.seq;
    });
    try {
      await until(
        () => viewers.every((v) => v.seq === 10) && rawSeq === 10,
        30_000,
        `${matchId}: everyone at seq 10`,
      );
      let stalledAt: number | null = null;
      for (let i = 10; i < events.length; i++) {
        if (stall && i === STALL_AFTER) {
          // Acknowledge the newest version, then stop reading. `ws` has no pause of its own;
          // pausing the net.Socket under it stops reads, so the kernel buffers fill and the
          // server sees a reader gone quiet, as a frozen tab or a dead mobile radio would.
          raw.send(JSON.stringify({ type: "ping", seq: rawSeq }));
          await sleep(100);
          (raw as unknown as { _socket: Socket })._socket.pause();
          stalledAt = rawSeq;
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
      let beatTheAck = 0;
      // Only the stretch after the stall point counts, in both runs.
      for (const seen of arrivals.values())
        for (const e of events.slice(STALL_AFTER)) {
          const sent = sends.get(e.seq);
          const ack = acks.get(e.seq);
          const at = seen.get(e.seq);
          if (sent === undefined || ack === undefined || at === undefined) continue;
          latencies.push(at - sent);
          if (at < ack) beatTheAck++;
        }
      const missing = viewers.filter((v) => (arrivals.get(v)?.size ?? 0) < events.length - 10).length;
      if (stall) {
        // Read again, to see what the room did with the silent socket while it was stalled.
        (raw as unknown as { _socket: Socket })._socket.resume();
        await until(() => rawEnd !== "open", 3000, "the stalled socket's close").catch(() => {});
      }
      return { latencies, beatTheAck, missing, failedPosts, stalledAt, rawEnd };
    } finally {
      for (const v of viewers) v.close();
      raw.terminate();
    }
  };

  // A-B-A: a control run on each side of the stalled one, so drift over the stack's life
  // (warm-up, the sockets of the previous run closing) shows instead of passing for the stall.
  const control = await run("chaos-stalled-control-1", false);
  const stalled = await run("chaos-stalled", true);
  const control2 = await run("chaos-stalled-control-2", false);
  const p50Control = Math.max(quantile(control.latencies, 0.5), quantile(control2.latencies, 0.5));
  const p50Stalled = quantile(stalled.latencies, 0.5);
  const flat = p50Stalled <= 2 * p50Control + 50;
  const ok =
    flat &&
    control.missing + stalled.missing + control2.missing === 0 &&
    control.failedPosts + stalled.failedPosts + control2.failedPosts === 0 &&
    stalled.stalledAt !== null;
  const f = (x: number) => x.toFixed(1);
  const describe = (r: RunResult) =>
    `p50=${f(quantile(r.latencies, 0.5))} p95=${f(quantile(r.latencies, 0.95))} max=${f(quantile(r.latencies, 1))} ms (n=${r.latencies.length}, ${((100 * r.beatTheAck) / Math.max(1, r.latencies.length)).toFixed(0)}% before the 2xx)`;
  return {
    ok,
    line:
      `viewers=${VIEWERS}+1 events=${EVENTS} stalledAt=${stalled.stalledAt} stalledEnd=${stalled.rawEnd} missing=${control.missing + stalled.missing + control2.missing} ` +
      `failedPosts=${control.failedPosts + stalled.failedPosts + control2.failedPosts} send→arrival: without stall ${describe(control)}; ` +
      `with stall ${describe(stalled)}; without again ${describe(control2)}${flat ? "" : " NOT FLAT"}`,
  };
});
