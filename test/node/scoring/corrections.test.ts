import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  apply,
  type DeliveryPayload,
  type DismissalKind,
  type MatchState,
  type ProviderEvent,
  replay,
  ScoringError,
  scorecard,
} from "../../../scoring/index.ts";
import { EventLog } from "./events.ts";

/** The state minus what legitimately differs between "corrected" and "replayed in place". */
function normalise(s: MatchState) {
  return { ...s, seq: 0, lastEventTs: null, corrections: [] };
}

/** The log with every correction folded into the delivery it replaces, as if sent right first time. */
function inPlace(events: ProviderEvent[]): ProviderEvent[] {
  const latest = new Map<number, DeliveryPayload>();
  for (const e of events) if (e.type === "correction") latest.set(e.payload.targetSeq, e.payload.delivery);
  return events.flatMap((e): ProviderEvent[] => {
    if (e.type === "correction") return [];
    if (e.type !== "delivery") return [e];
    return [{ ...e, payload: latest.get(e.seq) ?? e.payload }];
  });
}

function expectSameAsInPlace(log: EventLog, targetSeq: number, delivery: DeliveryPayload) {
  log.correct(targetSeq, delivery);
  const corrected = replay(log.events);
  const expected = replay(inPlace(log.events));
  expect(scorecard(corrected)).toEqual(scorecard(expected));
  expect(normalise(corrected)).toEqual(normalise(expected));
  expect(corrected.corrections.at(-1)).toEqual({ seq: log.lastSeq, targetSeq });
  return corrected;
}

describe("corrections", () => {
  it("equals replaying the log with the corrected delivery in place", () => {
    const log = new EventLog().start().innings();
    log.balls(3, { batterRuns: 1 });
    const target = log.lastSeq;
    const original = log.events[target - 1];
    log.balls(8, { batterRuns: 2 });
    if (original?.type !== "delivery") throw new Error("expected a delivery");
    const state = expectSameAsInPlace(log, target, { ...original.payload, batterRuns: 6 });
    expect(state.innings[0]?.runs).toBe(2 + 6 + 16);
    expect(state.innings[0]?.batters.find((b) => b.name === "A")?.sixes).toBe(1);
  });

  it("rewrites fall of wickets and partnerships when a wicket is added or removed", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 1 }).ball({ batter: "B", nonStriker: "A" });
    const dotSeq = log.lastSeq;
    const dot = log.events[dotSeq - 1];
    log.ball({ batter: "B", nonStriker: "A", batterRuns: 4 });
    if (dot?.type !== "delivery") throw new Error("expected a delivery");
    const withWicket = expectSameAsInPlace(log, dotSeq, {
      ...dot.payload,
      wickets: [{ kind: "stumped", playerOut: "B", fielders: ["K"] }],
    });
    const inn = withWicket.innings[0];
    expect(inn?.wickets).toBe(1);
    expect(inn?.fallOfWickets).toEqual([{ wicket: 1, runs: 1, player: "B", kind: "stumped", over: "0.2" }]);
    // The next ball names B again (the provider's log is now inconsistent), so a new stand opens.
    expect(inn?.partnerships.map((p) => [p.wicket, p.runs, p.ended])).toEqual([
      [1, 1, true],
      [2, 4, false],
    ]);
    expect(inn?.bowlers[0]?.wickets).toBe(1);

    // And back again: a second correction of the same delivery removes the wicket.
    const undone = expectSameAsInPlace(log, dotSeq, dot.payload);
    expect(undone.innings[0]?.wickets).toBe(0);
    expect(undone.innings[0]?.fallOfWickets).toEqual([]);
    expect(undone.innings[0]?.partnerships).toHaveLength(1);
  });

  it("moves the next innings' target when an earlier innings is corrected", () => {
    const log = new EventLog().start().innings().balls(6, { batterRuns: 1 });
    const seq = log.lastSeq;
    const last = log.events[seq - 1];
    log.end("overs complete").innings("Away", "Home").ball({ batterRuns: 2 });
    if (last?.type !== "delivery") throw new Error("expected a delivery");
    const state = expectSameAsInPlace(log, seq, { ...last.payload, batterRuns: 4 });
    expect(state.innings[1]?.target).toEqual({ runs: 10, overs: 20 });
    expect(state.innings[1]?.live.runsNeeded).toBe(8);
  });

  it("keeps penalty events in their place among the balls when re-folding", () => {
    const log = new EventLog().start().innings().ball({ batterRuns: 1 });
    const seq = log.lastSeq;
    const first = log.events[seq - 1];
    log.penalty(1, 5).out({ kind: "bowled", playerOut: "B" }, { batter: "B", nonStriker: "A" });
    if (first?.type !== "delivery") throw new Error("expected a delivery");
    const state = expectSameAsInPlace(log, seq, { ...first.payload, batterRuns: 3 });
    expect(state.innings[0]?.fallOfWickets[0]?.runs).toBe(8);
  });

  it("rejects corrections it cannot apply", () => {
    const log = new EventLog().start().innings().ball();
    const state = replay(log.events);
    const base = { matchId: "m1", ts: "2024-01-01T00:00:00Z", type: "correction" as const };
    const delivery = log.next();
    expect(() => apply(state, { ...base, seq: 10, payload: { targetSeq: 99, delivery } })).toThrow(
      ScoringError,
    );
    expect(() => apply(state, { ...base, seq: 10, payload: { targetSeq: 2, delivery } })).toThrow(
      /seq 2 is not a delivery/,
    );
    expect(() =>
      apply(state, { ...base, seq: 10, payload: { targetSeq: 3, delivery: { ...delivery, innings: 2 } } }),
    ).toThrow(/is in innings 1, not 2/);
  });
});

const BATTERS = ["A", "B", "C", "D", "E", "F", "G"];
const KINDS: DismissalKind[] = ["bowled", "caught", "run out", "lbw", "retired hurt", "stumped", "timed out"];

const ballArb = fc.record({
  batter: fc.integer({ min: 0, max: 6 }),
  gap: fc.integer({ min: 1, max: 6 }),
  bowler: fc.constantFrom("X", "Y", "Z"),
  batterRuns: fc.constantFrom(0, 0, 1, 2, 3, 4, 6),
  extra: fc.constantFrom("none", "none", "none", "wides", "noballs", "byes", "legbyes", "penalty"),
  extraRuns: fc.integer({ min: 1, max: 5 }),
  wicket: fc.option(fc.record({ kind: fc.constantFrom(...KINDS), striker: fc.boolean() }), { freq: 6 }),
  nonBoundary: fc.boolean(),
  // The umpire's call, now and then: a short or long over, moved or removed by a correction.
  overEnd: fc.option(fc.boolean(), { freq: 8 }),
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
    // Only on a legal ball, so no over is ever called before a legal ball of it.
    ...(b.overEnd !== null && b.extra !== "wides" && b.extra !== "noballs" ? { overEnd: b.overEnd } : {}),
    ...(b.wicket
      ? { wickets: [{ kind: b.wicket.kind, playerOut: b.wicket.striker ? batter : nonStriker }] }
      : {}),
  };
}

describe("correction property", () => {
  it("any correction of any delivery equals replaying with it in place", () => {
    fc.assert(
      fc.property(
        fc.array(ballArb, { minLength: 1, maxLength: 30 }),
        fc.array(ballArb, { minLength: 0, maxLength: 12 }),
        fc.nat(),
        ballArb,
        fc.boolean(),
        fc.option(fc.nat()),
        (first, second, pick, replacement, test, penaltyAt) => {
          const log = test
            ? new EventLog().start({ format: "Test", oversLimit: null })
            : new EventLog().start({ oversLimit: 5 });
          log.innings();
          const deliveries: { seq: number; payload: DeliveryPayload }[] = [];
          const record = () => {
            const e = log.events[log.events.length - 1];
            if (e?.type === "delivery") deliveries.push({ seq: e.seq, payload: e.payload });
          };
          for (const [i, b] of first.entries()) {
            log.ball(spec(b));
            record();
            if (penaltyAt !== null && penaltyAt % first.length === i) log.penalty(1, 5);
          }
          log.end("all out").innings("Away", "Home");
          for (const b of second) {
            log.ball(spec(b));
            record();
          }
          const target = deliveries[pick % deliveries.length];
          if (target === undefined) return;
          const corrected = { ...log.next(spec(replacement)), innings: target.payload.innings };
          const fixed = { ...corrected, over: target.payload.over, ball: target.payload.ball };
          log.correct(target.seq, fixed);
          const viaCorrection = replay(log.events);
          const viaReplay = replay(inPlace(log.events));
          expect(scorecard(viaCorrection)).toEqual(scorecard(viaReplay));
          expect(normalise(viaCorrection)).toEqual(normalise(viaReplay));
        },
      ),
      { numRuns: 300 },
    );
  });
});
