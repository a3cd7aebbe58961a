import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from "../../../client/live-subscription.ts";
import { parseConfig } from "../../../config/crease-config.ts";
import {
  behindUpstream,
  classifyArrival,
  expiredChildren,
  type Head,
  judgeReader,
  lastHeardAt,
  ledgerPullSince,
  planArrivals,
  planSync,
  pullKey,
  pullOutcome,
  replayFromLedger,
  snapshotAllowed,
} from "../../../edge/room-stream.ts";
import { continuousChain } from "../../../protocol/continuity.ts";
import type { Publication, PublishedPatch } from "../../../protocol/publication.ts";

const patch = (seq: number, prev: number): PublishedPatch => ({ seq, prev, ops: [], delta: "" });
const published = (epoch: string, seq: number, prev: number): Publication => ({
  kind: "patch",
  matchId: "m",
  epoch,
  ...patch(seq, prev),
});

describe("planArrivals", () => {
  const head: Head = { epoch: "e1", seq: 5 };
  const moment = (seq: number) => ({
    id: `m:${seq}:four:x`,
    kind: "four" as const,
    matchId: "m",
    seq,
    ts: "2026-05-01T10:00:00Z",
    innings: 1,
  });

  it("takes consecutive versions as one run, with their moments, and drops duplicates", () => {
    const withMoment = { ...published("e1", 7, 6), moments: [moment(7)] } as Publication;
    const plan = planArrivals(head, [
      published("e1", 5, 4),
      published("e1", 6, 5),
      withMoment,
      published("e1", 8, 7),
    ]);
    expect(plan.rest).toEqual([]);
    expect(plan.steps).toHaveLength(1);
    const [run] = plan.steps;
    if (run?.kind !== "run") throw new Error("expected a run");
    expect(run.patches.map((p) => p.seq)).toEqual([6, 7, 8]);
    expect(run.moments).toEqual([moment(7)]);
  });

  it("stops at the first hole: what follows waits for the pull", () => {
    const later = [published("e1", 9, 8), published("e1", 10, 9)];
    const plan = planArrivals(head, [published("e1", 6, 5), published("e1", 8, 7), ...later]);
    expect(plan.steps.map((s) => s.kind)).toEqual(["run", "hole"]);
    expect(plan.rest).toEqual(later);
  });

  it("a reset ends a run and starts a new history the next versions continue", () => {
    const reset: Publication = { kind: "reset", matchId: "m", epoch: "e2", seq: 20, state: {} };
    const plan = planArrivals(head, [published("e1", 6, 5), reset, published("e2", 21, 20)]);
    expect(plan.steps.map((s) => s.kind)).toEqual(["run", "reset", "run"]);
    expect(plan.rest).toEqual([]);
  });
});

describe("classifyArrival", () => {
  const head: Head = { epoch: "e1", seq: 5 };
  it.each([
    ["the next version", published("e1", 6, 5), "next"],
    ["a version skipping seqs (dead-lettered seqs move the cursor)", published("e1", 9, 5), "next"],
    ["a duplicate", published("e1", 5, 4), "duplicate"],
    ["an older version", published("e1", 3, 2), "duplicate"],
    ["a hole", published("e1", 8, 7), "hole"],
    ["another history", published("e2", 6, 5), "hole"],
  ] as const)("%s", (_what, publication, expected) => {
    expect(classifyArrival(head, publication)).toBe(expected);
  });
  it("a reset is always a new history", () => {
    expect(classifyArrival(head, { kind: "reset", matchId: "m", epoch: "e1", seq: 5, state: {} })).toBe(
      "reset",
    );
  });
  it("a room with no history yet pulls", () => {
    expect(classifyArrival({ epoch: null, seq: 0 }, published("e1", 1, 0))).toBe("hole");
  });
});

describe("continuousChain", () => {
  it("walks from since to head, skipping what is held and stopping at the head", () => {
    const entries = [patch(2, 1), patch(3, 2), patch(5, 3), patch(6, 5)];
    expect(continuousChain(2, 5, entries)?.map((p) => p.seq)).toEqual([3, 5]);
    expect(continuousChain(5, 5, entries)).toEqual([]);
  });
  it("refuses a broken link, a chain that ends short, and a since past the head", () => {
    expect(continuousChain(1, 6, [patch(2, 1), patch(4, 3)])).toBeNull();
    expect(continuousChain(1, 6, [patch(2, 1), patch(3, 2)])).toBeNull();
    expect(continuousChain(7, 6, [])).toBeNull();
  });
});

describe("planSync and replayFromLedger", () => {
  const head: Head = { epoch: "e1", seq: 10 };
  it("replays only the same history up to the head", () => {
    expect(planSync(head, 7, "e1")).toEqual({ kind: "replay", since: 7 });
    expect(planSync(head, 7, "*")).toEqual({ kind: "replay", since: 7 });
    expect(planSync(head, 11, "e1")).toEqual({ kind: "snapshot" });
    expect(planSync(head, 7, "e0")).toEqual({ kind: "snapshot" });
    expect(planSync(head, undefined, "e1")).toEqual({ kind: "snapshot" });
    expect(planSync({ epoch: null, seq: 0 }, 0, "e1")).toEqual({ kind: "snapshot" });
  });
  it("cuts the ledger's answer at the room's head and refuses another epoch", () => {
    const answer = {
      kind: "patches" as const,
      epoch: "e1",
      seq: 12,
      patches: [patch(8, 7), patch(9, 8), patch(10, 9), patch(12, 10)],
    };
    expect(replayFromLedger(head, 7, answer)?.map((p) => p.seq)).toEqual([8, 9, 10]);
    expect(replayFromLedger(head, 7, { ...answer, epoch: "e2" })).toBeNull();
    expect(replayFromLedger(head, 7, null)).toBeNull();
  });
  it("joins an answer read before the room moved on to the ring's tail, or gives up when the ring cannot", () => {
    const answer = { kind: "patches" as const, epoch: "e1", seq: 8, patches: [patch(8, 7)] };
    const tail = [patch(9, 8), patch(10, 9)];
    expect(replayFromLedger(head, 7, answer, tail)?.map((p) => p.seq)).toEqual([8, 9, 10]);
    expect(replayFromLedger(head, 7, answer, [patch(10, 9)])).toBeNull();
    expect(replayFromLedger(head, 7, answer, null)).toBeNull();
  });
});

describe("judgeReader", () => {
  const policy = { behindVersions: 2, afterMs: 600, closeAfterMs: 2500, silentAfterMs: 60_000 };
  const reader = {
    joinedAt: 0,
    heardAt: null,
    ready: true,
    bridge: false,
    lagging: false,
    ackSeq: 1,
    ackAt: 0,
  };
  it("conflates a reader far behind and silent, then closes it if it stays silent", () => {
    expect(judgeReader(reader, 10, 700, 650, policy)).toBe("conflate");
    expect(judgeReader({ ...reader, lagging: true }, 10, 2000, 1900, policy)).toBe("keep");
    expect(judgeReader({ ...reader, lagging: true }, 10, 2600, 2500, policy)).toBe("tooSlow");
  });
  it("leaves alone readers that keep up, never acknowledge, are bridges or not yet ready", () => {
    expect(judgeReader(reader, 3, 5000, 4900, policy)).toBe("keep");
    expect(judgeReader(reader, 10, 500, 400, policy)).toBe("keep");
    expect(judgeReader({ ...reader, ackAt: null, ackSeq: null }, 10, 9000, 8900, policy)).toBe("keep");
    expect(judgeReader({ ...reader, bridge: true }, 10, 9000, null, policy)).toBe("keep");
    expect(judgeReader({ ...reader, ready: false }, 10, 9000, 8900, policy)).toBe("keep");
  });

  describe("silence: nothing heard for the heartbeat window", () => {
    const quiet = { ...reader, ackAt: null, ackSeq: null };
    it("closes a socket that sent nothing at all since it joined", () => {
      expect(judgeReader(quiet, 10, 60_000, null, policy)).toBe("keep");
      expect(judgeReader(quiet, 10, 60_001, null, policy)).toBe("silent");
      expect(judgeReader({ ...quiet, ready: false }, 10, 60_001, null, policy)).toBe("silent");
    });
    it("counts a plain ping the runtime answered while the room slept as heard", () => {
      expect(judgeReader(quiet, 10, 100_000, 45_000, policy)).toBe("keep");
      expect(judgeReader(quiet, 10, 105_001, 45_000, policy)).toBe("silent");
    });
    it("counts a frame the room saw (an ack, a resume) as heard", () => {
      expect(judgeReader({ ...quiet, heardAt: 50_000 }, 10, 100_000, null, policy)).toBe("keep");
      expect(judgeReader({ ...quiet, heardAt: 50_000 }, 10, 110_001, 20_000, policy)).toBe("silent");
    });
    it("judges silence before slowness, and never judges the SSE bridge (the Worker holds it)", () => {
      expect(judgeReader({ ...reader, lagging: true }, 10, 70_000, null, policy)).toBe("silent");
      expect(judgeReader({ ...reader, bridge: true }, 10, 1e9, null, policy)).toBe("keep");
    });
    it("keeps the client library inside the default window, even with one ping in four lost", () => {
      const interval = DEFAULT_HEARTBEAT_INTERVAL_MS;
      const window = parseConfig({}).room.silentAfterMs;
      expect(window).toBeGreaterThanOrEqual(3 * interval);
      for (let now = 0; now < 600_000; now += 1000) {
        // The last ping the runtime answered, with every fourth ping lost on the way.
        let last = Math.floor(now / interval) * interval;
        if ((last / interval) % 4 === 3) last -= interval;
        expect(judgeReader(quiet, 10, now, last, { ...policy, silentAfterMs: window })).toBe("keep");
      }
    });
  });
});

describe("lastHeardAt", () => {
  const reader = {
    joinedAt: 100,
    heardAt: null,
    ready: true,
    bridge: false,
    lagging: false,
    ackSeq: null,
    ackAt: null,
  };
  it("is the newest of arrival, a frame the room saw and a ping the runtime answered", () => {
    expect(lastHeardAt(reader, null)).toBe(100);
    expect(lastHeardAt({ ...reader, heardAt: 300 }, 200)).toBe(300);
    expect(lastHeardAt({ ...reader, heardAt: 300 }, 400)).toBe(400);
  });
});

describe("snapshotAllowed", () => {
  it("allows the first snapshot, then one per cooldown", () => {
    expect(snapshotAllowed(null, 0, 5000)).toBe(true);
    expect(snapshotAllowed(1000, 5999, 5000)).toBe(false);
    expect(snapshotAllowed(1000, 6000, 5000)).toBe(true);
    expect(snapshotAllowed(1000, 1000, 0)).toBe(true);
  });
});

describe("ledgerPullSince and pullKey", () => {
  it("pulls only for a replay the ring does not reach", () => {
    const reachesFrom5 = (since: number) => since >= 5;
    expect(ledgerPullSince({ kind: "replay", since: 2 }, reachesFrom5)).toBe(2);
    expect(ledgerPullSince({ kind: "replay", since: 7 }, reachesFrom5)).toBeNull();
    expect(ledgerPullSince({ kind: "snapshot" }, reachesFrom5)).toBeNull();
  });
  it("shares a key between pulls of the same history from the same seq only", () => {
    expect(pullKey("e1", 2)).toBe(pullKey("e1", 2));
    expect(pullKey("e1", 2)).not.toBe(pullKey("e1", 3));
    expect(pullKey("e1", 23)).not.toBe(pullKey("e12", 3));
  });
});

describe("tree membership", () => {
  it("expires children that stopped reporting", () => {
    const children = [
      { shard: 1, reportedAt: 0 },
      { shard: 2, reportedAt: 900 },
    ];
    expect(expiredChildren(children, 1000, 500)).toEqual([1]);
  });
  it("knows when the parent is ahead or on another history", () => {
    expect(behindUpstream({ epoch: "e1", seq: 4 }, { epoch: "e1", seq: 5 })).toBe(true);
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: "e2", seq: 5 })).toBe(true);
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: "e1", seq: 5 })).toBe(false);
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: null, seq: 0 })).toBe(false);
  });
});

/**
 * The room's whole loop, run against a model ledger: versions arrive dropped, duplicated and
 * reordered; the room classifies each and pulls on a hole. Whatever the order, each version
 * reaches the sockets exactly once, in order, and the room ends at the ledger's head.
 */
describe("deliver or pull, never skip, never repeat", () => {
  it("holds for any arrival order, loss and duplication", () => {
    fc.assert(
      fc.property(
        // Seqs the ledger published (gaps allowed: dead-lettered seqs still move the cursor).
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 120 }),
        fc.integer({ min: 0, max: 100 }),
        (steps, schedule, lossPercent) => {
          const chain: PublishedPatch[] = [];
          let prev = 0;
          for (const step of steps) {
            chain.push(patch(prev + step, prev));
            prev += step;
          }
          const ledgerHead = prev;
          const pull = (head: Head) =>
            pullOutcome("m", head, { kind: "patches", epoch: "e1", seq: ledgerHead, patches: chain });

          let head: Head = { epoch: "e1", seq: 0 };
          const delivered: number[] = [];
          const deliver = (p: PublishedPatch) => {
            delivered.push(p.seq);
            head = { epoch: "e1", seq: p.seq };
          };
          // Arrivals: every published version, some lost, some repeated, in a shuffled order.
          const arrivals = chain.flatMap((p, i) => {
            const roll = (schedule[i] ?? 0) % 100;
            return roll < lossPercent / 2 ? [] : roll % 7 === 0 ? [p, p] : [p];
          });
          arrivals.sort((a, b) => ((schedule[a.seq] ?? 0) % 5) - ((schedule[b.seq] ?? 0) % 5));
          for (const p of arrivals) {
            const arrival = classifyArrival(head, { kind: "patch", matchId: "m", epoch: "e1", ...p });
            if (arrival === "next") deliver(p);
            else if (arrival === "hole") {
              const outcome = pull(head);
              if (outcome.kind === "deliver") outcome.patches.forEach(deliver);
            }
          }
          // The presence tick: the parent's version shows whether a last notification was lost.
          if (behindUpstream(head, { epoch: "e1", seq: ledgerHead })) {
            const outcome = pull(head);
            if (outcome.kind === "deliver") outcome.patches.forEach(deliver);
          }
          expect(delivered).toEqual(chain.map((p) => p.seq));
          expect(head.seq).toBe(ledgerHead);
        },
      ),
    );
  });
});
