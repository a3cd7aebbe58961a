/**
 * The over as the umpire counted it stands (Law 17.5.1): a provider's `overEnd` on a delivery
 * ends an over early (5 balls) or lets it run on (7 balls), and the overs, maidens, ends and
 * rates all follow the umpire. Examples first, then fast-check properties.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  apply,
  type MatchState,
  replay,
  ScoringError,
  scorecard,
  type Wicket,
} from "../../../scoring/index.ts";
import { EventLog } from "./events.ts";

function firstInnings(log: EventLog) {
  const inn = replay(log.events).innings[0];
  if (inn === undefined) throw new Error("no innings");
  return inn;
}

function bowler(log: EventLog, name = "X") {
  const b = firstInnings(log).bowlers.find((x) => x.name === name);
  if (b === undefined) throw new Error(`no bowler ${name}`);
  return b;
}

describe("an over the umpire called after 5 balls", () => {
  const fiveBallMaiden = () => new EventLog().start().innings().balls(4).ball({ overEnd: true });

  it("is one complete over for the innings and the bowler, and a maiden when nothing was conceded", () => {
    const log = fiveBallMaiden();
    expect(firstInnings(log)).toMatchObject({ legalBalls: 5, countedBalls: 6, overs: "1.0" });
    expect(bowler(log)).toMatchObject({ legalBalls: 5, overs: "1.0", maidens: 1 });
  });

  it("changes ends, and the next ball opens the next over", () => {
    const log = fiveBallMaiden();
    expect(firstInnings(log)).toMatchObject({ striker: "B", nonStriker: "A" });
    log.ball({ batter: "B", nonStriker: "A", bowler: "Y", batterRuns: 1 });
    const inn = firstInnings(log);
    expect(inn.perOver.map((o) => [o.over, o.bowler, o.legalBalls, o.complete])).toEqual([
      [0, "X", 5, true],
      [1, "Y", 1, false],
    ]);
    expect(inn.overs).toBe("1.1");
    expect(bowler(log, "Y").overs).toBe("0.1");
  });

  it("is not a maiden when the bowler conceded a run, or a wide", () => {
    const run = new EventLog().start().innings().balls(3).ball({ batterRuns: 1 }).ball({ overEnd: true });
    expect(bowler(run)).toMatchObject({ overs: "1.0", maidens: 0 });
    const wide = new EventLog()
      .start()
      .innings()
      .ball({ extras: { wides: 1 } })
      .balls(4)
      .ball({ overEnd: true });
    expect(bowler(wide)).toMatchObject({ legalBalls: 5, overs: "1.0", maidens: 0 });
  });

  it("keeps a maiden whose only runs are byes and leg-byes", () => {
    const log = new EventLog()
      .start()
      .innings()
      .balls(3)
      .ball({ extras: { legbyes: 2 } })
      .ball({ overEnd: true });
    expect(bowler(log)).toMatchObject({ overs: "1.0", maidens: 1 });
  });

  it("rates count it as an over: 6 runs in it is 6 an over", () => {
    const log = new EventLog().start().innings().ball({ batterRuns: 6 }).balls(3).ball({ overEnd: true });
    expect(scorecard(replay(log.events)).innings[0]).toMatchObject({ runRate: 6, overs: "1.0" });
    expect(bowler(log).economy).toBe(6);
  });

  it("credits the short over to the bowler of its last ball when two bowled it", () => {
    const log = new EventLog().start().innings().balls(2).balls(2, { bowler: "Y" }).ball({
      bowler: "Y",
      overEnd: true,
    });
    expect([bowler(log).overs, bowler(log, "Y").overs]).toEqual(["0.2", "0.4"]);
    expect([bowler(log).maidens, bowler(log, "Y").maidens]).toEqual([0, 0]);
    expect(firstInnings(log).overs).toBe("1.0");
  });

  it("leaves balls remaining in a chase to the umpire's overs", () => {
    const log = new EventLog().start({ oversLimit: 2 }).innings().balls(12).end("overs complete");
    log.innings("Away", "Home").balls(4).ball({ overEnd: true });
    const chase = scorecard(replay(log.events)).innings[1];
    expect(chase).toMatchObject({ legalBalls: 5, overs: "1.0", ballsRemaining: 6 });
  });
});

describe("an over the umpire let run to 7 balls", () => {
  const sevenBalls = (seventh = {}) =>
    new EventLog()
      .start()
      .innings()
      .balls(5)
      .ball({ overEnd: false })
      .ball({ overEnd: true, ...seventh });

  it("does not change ends after the sixth ball", () => {
    const log = new EventLog().start().innings().balls(5).ball({ overEnd: false });
    expect(firstInnings(log)).toMatchObject({ striker: "A", nonStriker: "B" });
    expect(firstInnings(log).perOver.at(-1)).toMatchObject({ legalBalls: 6, complete: false });
  });

  it("is one over for the innings and the bowler, and a maiden when nothing was conceded", () => {
    const log = sevenBalls();
    expect(firstInnings(log)).toMatchObject({
      legalBalls: 7,
      countedBalls: 6,
      overs: "1.0",
      striker: "B",
      nonStriker: "A",
    });
    expect(bowler(log)).toMatchObject({ legalBalls: 7, overs: "1.0", maidens: 1 });
  });

  it("ends without a mark on its seventh legal ball, but not on a wide after the sixth", () => {
    const log = new EventLog().start().innings().balls(5).ball({ overEnd: false });
    log.ball({ extras: { wides: 1 } });
    expect(firstInnings(log).perOver).toHaveLength(1);
    expect(firstInnings(log).perOver[0]?.complete).toBe(false);
    log.ball();
    expect(firstInnings(log).perOver[0]).toMatchObject({ legalBalls: 7, complete: true });
    expect(firstInnings(log).overs).toBe("1.0");
  });

  it("places a wicket on the seventh ball at x.7, and the next over's first at x+1.1", () => {
    const bowled: Wicket = { kind: "bowled", playerOut: "A" };
    const log = sevenBalls({ wickets: [bowled] });
    log.ball({ batter: "B", nonStriker: "C", bowler: "Y", wickets: [{ kind: "lbw", playerOut: "B" }] });
    expect(firstInnings(log).fallOfWickets.map((f) => f.over)).toEqual(["0.7", "1.1"]);
  });
});

describe("overEnd that changes nothing, and overEnd that cannot be", () => {
  it("false before the over has its balls, or true on its usual last ball, is the usual over", () => {
    const marked = new EventLog().start().innings().ball({ overEnd: false }).balls(4).ball({ overEnd: true });
    const plain = new EventLog().start().innings().balls(6);
    expect(scorecard(replay(marked.events))).toEqual(scorecard(replay(plain.events)));
  });

  it("rejects an over called before any legal ball of it, leaving the state as it was", () => {
    const log = new EventLog().start().innings().balls(6);
    const before = replay(log.events);
    log.ball({ extras: { wides: 1 }, overEnd: true });
    const last = log.events.at(-1);
    if (last === undefined) throw new Error("no event");
    expect(() => apply(before, last)).toThrow(ScoringError);
    expect(() => apply(before, last)).toThrow(/overEnd true would end an over with no legal ball/);
  });

  it("corrections can move the umpire's call (and renumber the balls after it)", () => {
    const log = new EventLog().start().innings().balls(8);
    const direct = new EventLog().start().innings().balls(4).ball({ overEnd: true }).balls(3);
    const sent = log.events.slice();
    for (const [i, e] of direct.events.entries()) {
      const was = sent[i];
      if (e.type === "delivery" && was?.type === "delivery" && JSON.stringify(e) !== JSON.stringify(was)) {
        log.correct(was.seq, e.payload);
      }
    }
    const corrected = replay(log.events);
    expect(corrected.corrections).toHaveLength(4);
    expect(scorecard(corrected).innings).toEqual(scorecard(replay(direct.events)).innings);
    expect(corrected.innings[0]).toMatchObject({ overs: "1.3", legalBalls: 8 });
  });
});

const perBall = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 9, maxLength: 9 });

/**
 * One over as the umpire called it: its legal balls (1 to 9, whatever the balls per over), its
 * bowler, and per legal ball the runs off the bat, leg-byes instead, and a wide before it. Runs
 * and wides are rare enough that many overs are maidens.
 */
const overArb = fc.record({
  legal: fc.integer({ min: 1, max: 9 }),
  bowler: fc.constantFrom("X", "Y", "Z"),
  runs: perBall(fc.constantFrom(0, 0, 0, 0, 1, 2, 4)),
  legbyes: perBall(fc.constantFrom(0, 0, 0, 1)),
  wideBefore: perBall(fc.constantFrom(false, false, false, false, false, false, false, true)),
});
type OverArb = typeof overArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Bowls `overs` into a fresh innings, marking each over's end the way a provider would: `false`
 * on every legal ball of a long over from its usual last one, `true` on the last ball of a short
 * or long one.
 */
function bowl(overs: OverArb[], bpo: number): EventLog {
  const log = new EventLog().start({ ballsPerOver: bpo, format: "Test", oversLimit: null }).innings();
  for (const o of overs) {
    for (let i = 0; i < o.legal; i++) {
      const usual = i >= bpo - 1 && i < o.legal - 1;
      const last = i === o.legal - 1 && o.legal !== bpo;
      if (o.wideBefore[i]) log.ball({ bowler: o.bowler, extras: { wides: 1 } });
      log.ball({
        bowler: o.bowler,
        batterRuns: o.runs[i] ?? 0,
        ...(o.legbyes[i] ? { batterRuns: 0, extras: { legbyes: o.legbyes[i] } } : {}),
        ...(usual ? { overEnd: false } : {}),
        ...(last ? { overEnd: true } : {}),
      });
    }
  }
  return log;
}

/** What the over cost its bowler: runs off the bat and wides (leg-byes are not theirs). */
const conceded = (o: OverArb) =>
  o.runs.slice(0, o.legal).reduce((n: number, r, i) => n + (o.legbyes[i] ? 0 : r), 0) +
  o.wideBefore.slice(0, o.legal).filter(Boolean).length;

describe("umpire-called overs: properties", () => {
  const settings = fc.record({
    overs: fc.array(overArb, { minLength: 1, maxLength: 12 }),
    bpo: fc.constantFrom(5, 6, 8),
  });

  it("each umpire's over counts as one over, for the innings and for its bowler", () => {
    fc.assert(
      fc.property(settings, ({ overs, bpo }) => {
        const inn = firstInnings(bowl(overs, bpo));
        expect(inn.overs).toBe(`${overs.length}.0`);
        expect(inn.legalBalls).toBe(overs.reduce((n, o) => n + o.legal, 0));
        expect(inn.perOver.map((o) => [o.legalBalls, o.complete])).toEqual(overs.map((o) => [o.legal, true]));
        for (const name of new Set(overs.map((o) => o.bowler))) {
          const mine = overs.filter((o) => o.bowler === name);
          const b = inn.bowlers.find((x) => x.name === name);
          expect({ name, overs: b?.overs }).toEqual({ name, overs: `${mine.length}.0` });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a bowler's maidens are their umpire's overs that cost them nothing", () => {
    fc.assert(
      fc.property(settings, ({ overs, bpo }) => {
        const inn = firstInnings(bowl(overs, bpo));
        for (const name of new Set(overs.map((o) => o.bowler))) {
          const expected = overs.filter((o) => o.bowler === name && conceded(o) === 0).length;
          expect({ name, maidens: inn.bowlers.find((x) => x.name === name)?.maidens }).toEqual({
            name,
            maidens: expected,
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("ends change at the umpire's call and nowhere else", () => {
    fc.assert(
      fc.property(settings, ({ overs, bpo }) => {
        const log = bowl(overs, bpo);
        // After each ball the expected striker is that ball's batter or non-striker: odd runs
        // run cross them, and the umpire's call of over (and only that) changes ends.
        let state: MatchState | null = null;
        let calls = 0;
        for (const event of log.events) {
          state = state === null ? replay([event]) : apply(state, event);
          if (event.type !== "delivery") continue;
          const d = event.payload;
          const ran = (d.extras?.legbyes ?? 0) + d.batterRuns;
          // A complete over takes no more balls, so a complete last over was called on this ball.
          const called = state.innings[0]?.perOver.at(-1)?.complete === true;
          if (called) calls += 1;
          const crossed = (ran % 2 === 1) !== called;
          expect(state.innings[0]?.striker).toBe(crossed ? d.nonStriker : d.batter);
        }
        expect(calls).toBe(overs.length);
      }),
      { numRuns: 100 },
    );
  });

  it("replay(tail, JSON snapshot of replay(head)) equals replay(all)", () => {
    fc.assert(
      fc.property(settings, fc.nat(), ({ overs, bpo }, cut) => {
        const events = bowl(overs, bpo).events;
        const k = 1 + (cut % (events.length - 1));
        const snapshot: MatchState = JSON.parse(JSON.stringify(replay(events.slice(0, k))));
        expect(replay(events.slice(k), snapshot)).toEqual(replay(events));
      }),
      { numRuns: 200 },
    );
  });
});
