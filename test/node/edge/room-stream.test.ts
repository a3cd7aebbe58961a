import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  behindUpstream,
  classifyArrival,
  expiredChildren,
  type Head,
  judgeReader,
  planSync,
  pullOutcome,
  replayFromLedger,
} from "../../../edge/room-stream.ts";
import { continuousChain, type Publication, type PublishedPatch } from "../../../protocol/publication.ts";

const patch = (seq: number, prev: number): PublishedPatch => ({ seq, prev, ops: [], delta: "" });
const published = (epoch: string, seq: number, prev: number): Publication => ({
  kind: "patch",
  matchId: "m",
  epoch,
  ...patch(seq, prev),
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
});

describe("judgeReader", () => {
  const policy = { behindVersions: 2, afterMs: 600, closeAfterMs: 2500 };
  const reader = { ready: true, bridge: false, lagging: false, ackSeq: 1, ackAt: 0 };
  it("conflates a reader far behind and silent, then closes it if it stays silent", () => {
    expect(judgeReader(reader, 10, 700, policy)).toBe("conflate");
    expect(judgeReader({ ...reader, lagging: true }, 10, 2000, policy)).toBe("keep");
    expect(judgeReader({ ...reader, lagging: true }, 10, 2600, policy)).toBe("close");
  });
  it("leaves alone readers that keep up, never acknowledge, are bridges or not yet ready", () => {
    expect(judgeReader(reader, 3, 5000, policy)).toBe("keep");
    expect(judgeReader(reader, 10, 500, policy)).toBe("keep");
    expect(judgeReader({ ...reader, ackAt: null, ackSeq: null }, 10, 9000, policy)).toBe("keep");
    expect(judgeReader({ ...reader, bridge: true }, 10, 9000, policy)).toBe("keep");
    expect(judgeReader({ ...reader, ready: false }, 10, 9000, policy)).toBe("keep");
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
