/**
 * Moments on small hand-built logs: what counts as a four, where milestones, overs, targets and
 * the result come, and what a correction announces and takes back. The fixtures' oracle
 * (moments-fixtures.test.ts) checks the same rules on 43 real matches.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  apply,
  type DeliveryPayload,
  type DismissalKind,
  emptyState,
  type Moment,
  MomentTracker,
  momentChanges,
  momentKey,
  momentsOf,
  momentsOfLog,
  type ProviderEvent,
  replay,
} from "../../../scoring/index.ts";
import { EventLog } from "./events.ts";

const kinds = (ms: readonly Moment[]) => ms.map((m) => m.kind);
const of = <K extends Moment["kind"]>(ms: readonly Moment[], kind: K) =>
  ms.filter((m): m is Moment & { kind: K } => m.kind === kind);

function deliveryAt(log: EventLog, seq: number): DeliveryPayload {
  const e = log.events[seq - 1];
  if (e?.type !== "delivery") throw new Error(`seq ${seq} is not a delivery`);
  return e.payload;
}

describe("what counts", () => {
  it("a four and a six off the bat; four byes, four leg-byes, four run and five wides are not", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 4 }).ball({ batterRuns: 6 });
    log.ball({ extras: { byes: 4 } }).ball({ extras: { legbyes: 4 } });
    log.ball({ batterRuns: 4, nonBoundary: true }).ball({ extras: { wides: 5 } });
    log.ball({ batterRuns: 4, extras: { noballs: 1 } });
    const ms = momentsOfLog(log.events);
    expect(of(ms, "four").map((m) => m.seq)).toEqual([3, 9]);
    expect(of(ms, "six").map((m) => [m.seq, m.batter, m.bowler, m.score])).toEqual([
      [4, "A", "X", { runs: 10, wickets: 0 }],
    ]);
  });

  it("a wicket names the batter, how out, the credited bowler and the score; a retirement hurt is no wicket", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 2 });
    log.out({ kind: "caught", playerOut: "A", fielders: ["F"] });
    log.out(
      { kind: "run out", playerOut: "B", fielders: ["G"] },
      { batter: "C", nonStriker: "B", batterRuns: 1 },
    );
    log.out({ kind: "retired hurt", playerOut: "C" }, { batter: "C", nonStriker: "D" });
    const wickets = of(momentsOfLog(log.events), "wicket");
    expect(
      wickets.map((w) => [w.batter, w.howOut, w.bowler, w.wicket, w.score, w.over, w.batterRuns]),
    ).toEqual([
      ["A", "c F b X", "X", 1, { runs: 2, wickets: 1 }, "0.2", 2],
      ["B", "run out (G)", null, 2, { runs: 3, wickets: 2 }, "0.3", 0],
    ]);
    expect(wickets[0]?.id).toBe("m1:4:wicket:4:A");
  });

  it("milestones: the batter's 50 and 100, the team's every 50, the stand's 50s, a five-for", () => {
    const log = new EventLog().start({ format: "Test", oversLimit: null }).innings();
    log.balls(17, { batterRuns: 6 }); // A: 102 off 17; the team and the stand the same
    for (const batter of ["B", "C", "D", "E", "F"]) {
      log.out({ kind: "bowled", playerOut: batter }, { batter, nonStriker: "A" });
    }
    const ms = momentsOfLog(log.events);
    expect(of(ms, "batter-milestone").map((m) => [m.batter, m.runs, m.balls, m.seq])).toEqual([
      ["A", 50, 9, 11],
      ["A", 100, 17, 19],
    ]);
    expect(of(ms, "team-milestone").map((m) => m.runs)).toEqual([50, 100]);
    expect(of(ms, "partnership-milestone").map((m) => [m.batters, m.runs, m.wicket])).toEqual([
      [["A", "B"], 50, 1],
      [["A", "B"], 100, 1],
    ]);
    expect(of(ms, "bowler-milestone").map((m) => [m.bowler, m.wickets, m.runs, m.seq])).toEqual([
      ["X", 5, 102, log.lastSeq],
    ]);
  });

  it("the end of each over the umpire called, with its runs, wickets and the score", () => {
    const log = new EventLog().start().innings();
    log.balls(5).ball({ batterRuns: 1 }); // over 1: 1 run
    log
      .ball({ extras: { wides: 1 } })
      .balls(3)
      .out({ kind: "lbw", playerOut: "B" })
      .ball({ overEnd: true });
    const overs = of(momentsOfLog(log.events), "over");
    expect(overs.map((o) => [o.over, o.runs, o.wickets, o.maiden, o.score, o.seq])).toEqual([
      [1, 1, 0, false, { runs: 1, wickets: 0 }, 8],
      [2, 1, 1, false, { runs: 2, wickets: 1 }, 14],
    ]);
  });

  it("innings end, the chase's target and the result, each from the event that made it", () => {
    const log = new EventLog().start().innings().balls(2, { batterRuns: 4 }).end("all out");
    log.innings("Away", "Home").ball({ batterRuns: 6 }).ball({ batterRuns: 4 });
    log.finish({ kind: "win", winner: "Away", by: { wickets: 10 } });
    const ms = momentsOfLog(log.events);
    expect(kinds(ms).slice(-4)).toEqual(["six", "four", "innings-end", "result"]);
    const [end1] = of(ms, "innings-end");
    expect([end1?.seq, end1?.score, end1?.reason]).toEqual([5, { runs: 8, wickets: 0 }, "all out"]);
    expect(of(ms, "target").map((t) => [t.seq, t.team, t.runs, t.overs, t.innings])).toEqual([
      [6, "Away", 9, 20, 2],
    ]);
    expect(of(ms, "result").map((r) => [r.seq, r.text, r.ts])).toEqual([
      [log.lastSeq, "Away won by 10 wickets", log.events.at(-1)?.ts],
    ]);
  });
});

describe("corrections", () => {
  it("a four corrected to a dot is taken back by a retraction naming its id, at the correction's seq and ts", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 4 });
    const fourSeq = log.lastSeq;
    log.balls(2);
    const before = momentsOfLog(log.events);
    const four = of(before, "four")[0];
    expect(four?.id).toBe(`m1:${fourSeq}:four:${fourSeq}:A`);
    log.correct(fourSeq, { ...deliveryAt(log, fourSeq), batterRuns: 0 });
    const after = momentsOfLog(log.events);
    const emitted = after.slice(before.length);
    expect(emitted).toEqual([
      {
        id: `m1:${log.lastSeq}:retraction:${four?.id}`,
        kind: "retraction",
        matchId: "m1",
        seq: log.lastSeq,
        ts: log.events.at(-1)?.ts,
        innings: 1,
        retracts: four?.id,
        retractedKind: "four",
      },
    ]);
  });

  it("a dot corrected to a six is announced at the correction, where a reader onwards sees it", () => {
    const log = new EventLog().start().innings().balls(3);
    log.correct(3, { ...deliveryAt(log, 3), batterRuns: 6 });
    const ms = momentsOfLog(log.events);
    expect(of(ms, "six").map((m) => [m.id, m.seq])).toEqual([[`m1:${log.lastSeq}:six:3:A`, log.lastSeq]]);
  });

  it("a wicket corrected away takes back the wicket and the five-for it completed, and nothing else", () => {
    const log = new EventLog().start().innings();
    for (const batter of ["A", "C", "D", "E", "F"]) {
      log.out({ kind: "bowled", playerOut: batter }, { batter, nonStriker: "B" });
    }
    const lastWicket = log.lastSeq;
    const before = momentsOfLog(log.events);
    log.correct(lastWicket, { ...deliveryAt(log, lastWicket), wickets: [] });
    const emitted = momentsOfLog(log.events).slice(before.length);
    expect(emitted.map((m) => m.kind === "retraction" && m.retractedKind)).toEqual([
      "wicket",
      "bowler-milestone",
    ]);
    const retracted = new Set(emitted.map((m) => m.kind === "retraction" && m.retracts));
    expect(before.filter((m) => retracted.has(m.id)).map((m) => m.kind)).toEqual([
      "wicket",
      "bowler-milestone",
    ]);
  });

  it("a correction that moves where a fifty came keeps the fifty as announced (same id, not again)", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 0 }).balls(9, { batterRuns: 6 }); // 54: fifty on the ninth six
    const before = momentsOfLog(log.events);
    log.correct(3, { ...deliveryAt(log, 3), batterRuns: 6 }); // now 60, the fifty a ball earlier
    const after = momentsOfLog(log.events);
    expect(of(after, "batter-milestone")).toEqual(of(before, "batter-milestone"));
    expect(kinds(after.slice(before.length))).toEqual(["six"]);
  });

  it("momentChanges against announced moments: the undone correction announces the moment again, under a new id", () => {
    const log = new EventLog().start().innings().ball({ batterRuns: 4 });
    const tracker = new MomentTracker();
    const at = (e: ProviderEvent | undefined) => ({ matchId: "m1", seq: e?.seq ?? 0, ts: e?.ts ?? "" });
    tracker.step(replay(log.events), at(log.events.at(-1)));
    const first = tracker.live().find((m) => m.kind === "four");
    log.correct(3, { ...deliveryAt(log, 3), batterRuns: 1 });
    const takeBack = momentChanges(tracker.live(), momentsOf(replay(log.events)), at(log.events.at(-1)));
    expect(takeBack.retracted.map((r) => r.retracts)).toEqual([first?.id]);
    tracker.step(replay(log.events), at(log.events.at(-1)));
    log.correct(3, { ...deliveryAt(log, 3), batterRuns: 4 });
    const again = tracker.step(replay(log.events), at(log.events.at(-1)));
    expect(again.map((m) => [m.kind, m.id])).toEqual([["four", `m1:${log.lastSeq}:four:3:A`]]);
    expect(again[0]?.id).not.toBe(first?.id);
    expect(momentKey(again[0] as Moment)).toBe(momentKey(first as Moment));
  });
});

const BATTERS = ["A", "B", "C", "D", "E", "F", "G"];
const KINDS: DismissalKind[] = ["bowled", "caught", "run out", "lbw", "retired hurt", "stumped"];
const ballArb = fc.record({
  batter: fc.integer({ min: 0, max: 6 }),
  gap: fc.integer({ min: 1, max: 6 }),
  bowler: fc.constantFrom("X", "Y"),
  batterRuns: fc.constantFrom(0, 1, 4, 4, 6, 6),
  extra: fc.constantFrom("none", "none", "none", "wides", "noballs", "byes"),
  extraRuns: fc.integer({ min: 1, max: 4 }),
  wicket: fc.option(fc.record({ kind: fc.constantFrom(...KINDS), striker: fc.boolean() }), { freq: 4 }),
  nonBoundary: fc.boolean(),
});
type BallArb = typeof ballArb extends fc.Arbitrary<infer T> ? T : never;

function spec(b: BallArb) {
  const batter = BATTERS[b.batter] as string;
  const nonStriker = BATTERS[(b.batter + b.gap) % BATTERS.length] as string;
  return {
    batter,
    nonStriker,
    bowler: b.bowler,
    batterRuns: b.extra === "wides" ? 0 : b.batterRuns,
    nonBoundary: b.nonBoundary,
    ...(b.extra === "none" ? {} : { extras: { [b.extra]: b.extraRuns } }),
    ...(b.wicket
      ? { wickets: [{ kind: b.wicket.kind, playerOut: b.wicket.striker ? batter : nonStriker }] }
      : {}),
  };
}

describe("moments property", () => {
  it("whatever the corrections, what stands announced is the final state's moments; every retraction names a standing id", () => {
    fc.assert(
      fc.property(
        fc.array(ballArb, { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), ballArb, fc.nat({ max: 40 })), { maxLength: 6 }),
        (balls, corrections) => {
          const log = new EventLog().start({ format: "Test", oversLimit: null }).innings();
          const seqs: number[] = [];
          for (const [i, b] of balls.entries()) {
            log.ball(spec(b));
            seqs.push(log.lastSeq);
            // Corrections interleaved with play, each of a delivery already bowled.
            for (const [pick, replacement, when] of corrections) {
              if (when % balls.length !== i) continue;
              const target = seqs[pick % seqs.length] as number;
              const original = deliveryAt(log, target);
              log.correct(target, {
                ...log.next(spec(replacement)),
                over: original.over,
                ball: original.ball,
              });
            }
          }
          const announced = momentsOfLog(log.events);
          const standing = new Map<string, Moment>();
          for (const m of announced) {
            expect(standing.has(m.id)).toBe(false);
            if (m.kind === "retraction") {
              expect(standing.get(m.retracts)?.kind).toBe(m.retractedKind);
              standing.delete(m.retracts);
            } else standing.set(m.id, m);
            expect(m.seq).toBeLessThanOrEqual(log.lastSeq);
          }
          const facts = momentsOf(replay(log.events));
          // At every version, the walk that went on ball by ball (and started again after each
          // correction) finds what a walk from nothing finds.
          let state = emptyState("m1");
          for (const event of log.events) {
            state = apply(state, event);
            expect(momentsOf(state)).toEqual(momentsOf(JSON.parse(JSON.stringify(state))));
          }
          expect(new Set([...standing.values()].map(momentKey))).toEqual(new Set(facts.map((f) => f.key)));
          // Seqs never go backwards: a reader paging with ?after= misses nothing.
          expect(announced.map((m) => m.seq)).toEqual([...announced.map((m) => m.seq)].sort((a, b) => a - b));
          expect(momentsOfLog(log.events)).toEqual(announced);
        },
      ),
      { numRuns: 200 },
    );
  });
});
