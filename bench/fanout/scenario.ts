/**
 * One fan-out scenario: start a target, connect N subscribers spread over the child processes,
 * publish a steady phase and a burst, then collect every arrival, check the invariants and
 * turn arrivals into latencies. Latency is measured from the publish's 2xx (as the issue asks)
 * and, beside it, from the moment the publish was sent (end to end, which no ack order can flatter).
 */
import type { ChildProcess } from "node:child_process";
import { sleep } from "../../test/support/time.ts";
import { type CpuReading, cpuBetween, readCpu } from "./server-cpu.ts";
import type { FromChild, ToChild } from "./subscribers.ts";
import type { Target } from "./targets.ts";
import { nowMs, round, type Summary, seededRandom, summarize, type Workload } from "./workload.ts";

export interface PhaseResult {
  events: number;
  /** From the 2xx of the publish to each subscriber's arrival. */
  fromAck: Summary;
  /** From sending the publish to each subscriber's arrival. */
  fromPost: Summary;
  /** Per version, from its 2xx to its arrival at the last subscriber. */
  lastSubscriber: Summary;
  /** From a version's first arrival anywhere to each subscriber: the fan-out spread, clock-order free. */
  fromFirst: Summary;
  /** Publish round trip (POST to 2xx). */
  ack: Summary;
  /** Deliveries per second over the phase: N × events / (last arrival − first publish). */
  deliveredPerSecond: number;
}

export interface ScenarioResult {
  name: string;
  subscribers: number;
  connectMs: number;
  /** Bytes a subscriber received until its first frame was whole (Crease: the gzipped snapshot). */
  joinBytes: Summary;
  /**
   * With BENCH_TRACE_JOIN=1 (raw clients): a join's two halves as the client sees them, ms from
   * opening the socket to the 101, and from the 101 to the first frame.
   */
  joinTrace?: { toUpgrade: Summary; upgradeToFirstFrame: Summary };
  steady: PhaseResult;
  burst: PhaseResult;
  /** `ack`: every publish's round trip (POST to 2xx), both phases. */
  all: { fromAck: Summary; fromPost: Summary; fromFirst: Summary; ack: Summary };
  /** The server's own processes, as the kernel counts them (bench/fanout/server-cpu.ts). */
  serverCpu: ServerCpu;
  failures: string[];
  badSockets: number;
}

export interface ServerCpu {
  /** What was read: the workerd Miniflare spawned, wrangler dev's workerd pair, or the Node server. */
  pids: number[];
  /** CPU seconds (user + system, every thread) while the subscribers connected. */
  connect: number;
  /** CPU seconds from the first steady publish until the burst began (the steady phase drained). */
  steady: number;
  /** CPU seconds from the first burst publish until every subscriber held the last version. */
  burst: number;
  /** Seconds the server's threads were runnable but waiting for a core, over the three phases. */
  waitSeconds: number;
  wait: { connect: number; steady: number; burst: number };
  /** Connect CPU ÷ subscribers, in ms. */
  perJoinMs: number;
  /** (steady + burst) CPU ÷ delivered frames, in µs. */
  perFrameUs: number;
  /** Patch frames the subscribers received in the steady and burst phases (a coalesced run is one). */
  frames: number;
  /** Per thread name, CPU seconds over the three phases: which thread did the work. */
  threads: Record<string, number>;
}

interface Published {
  seq: number;
  phase: "steady" | "burst";
  tPost: number;
  tAck: number;
}

function request(child: ChildProcess, msg: ToChild, expect: FromChild["event"]): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromChild) => {
      if (m.event === "error") {
        cleanup();
        reject(new Error(`subscriber process: ${m.message}`));
      } else if (m.event === expect) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`subscriber process exited with ${code}`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.send(msg);
  });
}

export async function runScenario(
  target: Target,
  w: Workload,
  children: ChildProcess[],
): Promise<ScenarioResult> {
  const random = seededRandom(w.seed);
  await target.start();
  try {
    const initialSeq = await target.prepare();
    const share = children.map(
      (_, i) => Math.floor(w.subscribers / children.length) + (i < w.subscribers % children.length ? 1 : 0),
    );
    const pids = target.serverPids();
    const cpu0 = readCpu(pids);
    const started = nowMs();
    const connected = await Promise.all(
      children.map((child, i) =>
        request(
          child,
          {
            cmd: "connect",
            client: target.client,
            url: target.url(),
            protocols: target.protocols(),
            count: share[i] ?? 0,
            concurrency: 50,
            ...(target.heartbeat ? { heartbeat: target.heartbeat } : {}),
          },
          "connected",
        ),
      ),
    );
    const connectMs = round(nowMs() - started);
    const cpu1 = readCpu(pids);
    const traced = (connected as Extract<FromChild, { event: "connected" }>[]).flatMap((c) =>
      c.trace ? [c.trace] : [],
    );
    const finite = (xs: number[]) => xs.filter(Number.isFinite);
    const joinTrace = traced.length
      ? {
          toUpgrade: summarize(finite(traced.flatMap((t) => t.toUpgrade))),
          upgradeToFirstFrame: summarize(finite(traced.flatMap((t) => t.upgradeToFirstFrame))),
        }
      : undefined;
    const joinBytes = summarize(
      (connected as Extract<FromChild, { event: "connected" }>[])
        .flatMap((c) => c.joinBytes)
        .filter((b) => !Number.isNaN(b)),
    );
    await sleep(500);

    const published: Published[] = [];
    const publish = async (k: number, phase: Published["phase"]) => {
      const tPost = nowMs();
      const seq = await target.publish(k);
      published.push({ seq, phase, tPost, tAck: nowMs() });
    };
    // Steady: one version every 1/rate s, jittered ±50 % by the seed.
    const interval = 1000 / w.steadyRate;
    const cpu2 = readCpu(pids);
    let due = nowMs();
    for (let k = 1; k <= w.steadyEvents; k++) {
      await sleep(due - nowMs());
      await publish(k, "steady");
      due += interval * (0.5 + random());
    }
    await sleep(500);
    const cpu3 = readCpu(pids);
    // Burst: back to back, each as soon as the previous one was acknowledged.
    for (let k = w.steadyEvents + 1; k <= w.steadyEvents + w.burstEvents; k++) await publish(k, "burst");

    const expected = published.map((p) => p.seq);
    const replies = (await Promise.all(
      children.map((child) =>
        request(child, { cmd: "collect", initialSeq, expected, timeoutMs: w.deliveryTimeoutMs }, "collected"),
      ),
    )) as Extract<FromChild, { event: "collected" }>[];
    const cpu4 = readCpu(pids);
    await Promise.all(children.map((child) => request(child, { cmd: "close" }, "closed")));
    const serverCpu = costOf(
      pids,
      [cpu0, cpu1, cpu2, cpu3, cpu4],
      w.subscribers,
      replies.reduce((n, r) => n + r.frames, 0),
    );

    const phase = (name: Published["phase"]): PhaseResult => {
      const fromAck: number[] = [];
      const fromPost: number[] = [];
      const last: number[] = [];
      const spread: number[] = [];
      let lastArrival = 0;
      let count = 0;
      published.forEach((p, i) => {
        if (p.phase !== name) return;
        count++;
        let latest = Number.NEGATIVE_INFINITY;
        for (const reply of replies) {
          for (const at of reply.arrivals[i] ?? []) {
            if (Number.isNaN(at)) continue;
            fromAck.push(at - p.tAck);
            fromPost.push(at - p.tPost);
            latest = Math.max(latest, at);
          }
        }
        spread.push(...spreadOf(replies, i));
        if (Number.isFinite(latest)) {
          last.push(latest - p.tAck);
          lastArrival = Math.max(lastArrival, latest);
        }
      });
      const mine = published.filter((p) => p.phase === name);
      const first = mine[0]?.tPost ?? 0;
      return {
        events: count,
        fromAck: summarize(fromAck),
        fromPost: summarize(fromPost),
        lastSubscriber: summarize(last),
        fromFirst: summarize(spread),
        ack: summarize(mine.map((p) => p.tAck - p.tPost)),
        deliveredPerSecond: Math.round((fromAck.length / Math.max(1e-9, lastArrival - first)) * 1000),
      };
    };
    const everyAck: number[] = [];
    const everyPost: number[] = [];
    const everySpread: number[] = [];
    published.forEach((p, i) => {
      everySpread.push(...spreadOf(replies, i));
      for (const reply of replies)
        for (const at of reply.arrivals[i] ?? []) {
          if (Number.isNaN(at)) continue;
          everyAck.push(at - p.tAck);
          everyPost.push(at - p.tPost);
        }
    });
    return {
      name: target.name,
      subscribers: w.subscribers,
      connectMs,
      joinBytes,
      ...(joinTrace ? { joinTrace } : {}),
      steady: phase("steady"),
      burst: phase("burst"),
      all: {
        fromAck: summarize(everyAck),
        fromPost: summarize(everyPost),
        fromFirst: summarize(everySpread),
        ack: summarize(published.map((p) => p.tAck - p.tPost)),
      },
      serverCpu,
      failures: replies.flatMap((r) => r.failures).slice(0, 10),
      badSockets: replies.reduce((n, r) => n + r.badSockets, 0),
    };
  } finally {
    await target.stop();
  }
}

/** Version i's arrivals, each minus the version's first arrival at any subscriber. */
function spreadOf(replies: Extract<FromChild, { event: "collected" }>[], i: number): number[] {
  const all = replies.flatMap((r) => (r.arrivals[i] ?? []).filter((at) => !Number.isNaN(at)));
  const first = Math.min(...all);
  return all.map((at) => at - first);
}

/** The phases' CPU and wait from five readings (before connect, after, steady start, burst start, end). */
function costOf(pids: number[], readings: CpuReading[], joins: number, frames: number): ServerCpu {
  const [r0, r1, r2, r3, r4] = readings as [CpuReading, CpuReading, CpuReading, CpuReading, CpuReading];
  const connect = cpuBetween(r0, r1);
  const steady = cpuBetween(r2, r3);
  const burst = cpuBetween(r3, r4);
  const threads: Record<string, number> = {};
  for (const phase of [connect, steady, burst])
    for (const [name, sec] of Object.entries(phase.threads))
      threads[name] = Math.round(((threads[name] ?? 0) + sec) * 1000) / 1000;
  return {
    pids,
    connect: connect.cpuSeconds,
    steady: steady.cpuSeconds,
    burst: burst.cpuSeconds,
    waitSeconds: Math.round((connect.waitSeconds + steady.waitSeconds + burst.waitSeconds) * 1000) / 1000,
    wait: { connect: connect.waitSeconds, steady: steady.waitSeconds, burst: burst.waitSeconds },
    perJoinMs: joins > 0 ? round((connect.cpuSeconds * 1000) / joins) : Number.NaN,
    perFrameUs: frames > 0 ? round(((steady.cpuSeconds + burst.cpuSeconds) * 1e6) / frames) : Number.NaN,
    frames,
    threads,
  };
}
