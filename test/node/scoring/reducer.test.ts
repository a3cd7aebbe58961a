import { describe, expect, it } from "vitest";
import {
  apply,
  emptyState,
  type ProviderEvent,
  replay,
  ScoringError,
  scorecard,
} from "../../../scoring/index.ts";
import { cricsheetEvents } from "./cricsheet-log.ts";
import { deepFreeze, EventLog } from "./events.ts";

const ts = "2024-01-01T10:00:00Z";

function ev<T extends ProviderEvent["type"]>(
  seq: number,
  type: T,
  payload: Extract<ProviderEvent, { type: T }>["payload"],
  matchId = "m1",
): ProviderEvent {
  return { matchId, seq, ts, type, payload } as ProviderEvent;
}

describe("apply", () => {
  it("records the last seq and event time", () => {
    const log = new EventLog().start().innings().ball();
    const state = replay(log.events);
    expect(state.seq).toBe(3);
    expect(state.lastEventTs).toBe(log.events[2]?.ts);
    expect(emptyState("x")).toMatchObject({ matchId: "x", seq: 0, lastEventTs: null, status: "scheduled" });
  });

  it("never mutates its input (deep-frozen states and events)", () => {
    const log = new EventLog().start({ oversLimit: 1 }).innings().balls(5, { batterRuns: 1 });
    log.out({ kind: "caught", playerOut: "A", fielders: ["F"] }).end("overs complete");
    log.innings("Away", "Home").ball({ batterRuns: 1 });
    const events = log.events;
    let state = deepFreeze(emptyState("m1"));
    for (const e of events) state = deepFreeze(apply(state, deepFreeze(e)));
    const before = JSON.stringify(state);
    const penalty = deepFreeze(ev(log.lastSeq + 1, "penalty", { innings: 1, runs: 5 }));
    const afterPenalty = apply(state, penalty);
    const first = events[2];
    if (first?.type !== "delivery") throw new Error("expected a delivery");
    const correction = deepFreeze(
      ev(log.lastSeq + 2, "correction", { targetSeq: 3, delivery: { ...first.payload, batterRuns: 6 } }),
    );
    const afterCorrection = apply(deepFreeze(afterPenalty), correction);
    expect(JSON.stringify(state)).toBe(before);
    expect(afterCorrection.innings[0]?.runs).toBe((state.innings[0]?.runs ?? 0) + 10);
    expect(afterCorrection.innings[1]?.target?.runs).toBe((state.innings[1]?.target?.runs ?? 0) + 10);
  });

  it("shares what did not change", () => {
    const log = new EventLog().start().innings().ball().end("all out").innings("Away", "Home");
    const state = replay(log.events);
    const next = apply(state, ev(log.lastSeq + 1, "delivery", { ...log.next(), innings: 2 }));
    expect(next.innings[0]).toBe(state.innings[0]);
    expect(next.match).toBe(state.match);
  });

  it("produces a state that survives a JSON round trip unchanged", () => {
    const log = new EventLog().start({ title: "Final", toss: { winner: "Home", decision: "bat" } }).innings();
    log.ball({ batterRuns: 4, shot: { angle: 45 } }).out({ kind: "retired hurt", playerOut: "A" });
    log
      .penalty(1, 5, "time wasting")
      .end("all out")
      .innings("Away", "Home", { target: { runs: 10 } });
    log.finish({ kind: "tie", decidedBy: { winner: "Home", method: "super over" } });
    const state = replay(log.events);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    const test = replay(cricsheetEvents("1122725"));
    expect(JSON.parse(JSON.stringify(test))).toStrictEqual(test);
  });

  it("replays the longest Test in well under a second", () => {
    const events = cricsheetEvents("1122725");
    expect(events.length).toBeGreaterThan(2300);
    const t0 = performance.now();
    const state = replay(events);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(500);
    expect(scorecard(state).innings.map((i) => `${i.runs}/${i.wickets}`)).toEqual([
      "536/7",
      "373/10",
      "246/5",
      "299/5",
    ]);
  });

  it("replays from a given state", () => {
    const log = new EventLog().start().innings().balls(3, { batterRuns: 1 });
    const mid = replay(log.events.slice(0, 3));
    expect(replay(log.events.slice(3), mid)).toEqual(replay(log.events));
    expect(() => replay([])).toThrow(ScoringError);
  });
});

describe("ScoringError", () => {
  const started = replay(new EventLog().start().events);
  const inPlay = replay(new EventLog().start().innings().ball().events);
  const delivery = new EventLog().start().innings().next();

  it.each([
    ["an event for another match", inPlay, ev(9, "delivery", delivery, "other"), /match other/],
    ["a seq that is not after the last", inPlay, ev(3, "delivery", delivery), /not after/],
    [
      "innings.start before match.start",
      emptyState("m1"),
      ev(1, "innings.start", { battingTeam: "H", bowlingTeam: "A", superOver: false }),
      /before match.start/,
    ],
    ["a delivery before match.start", emptyState("m1"), ev(1, "delivery", delivery), /before match.start/],
    ["a delivery before any innings", started, ev(2, "delivery", delivery), /before any innings/],
    [
      "a delivery for another innings",
      inPlay,
      ev(9, "delivery", { ...delivery, innings: 2 }),
      /current innings is 1/,
    ],
    [
      "a second match.start",
      started,
      ev(2, "match.start", { teams: ["H", "A"], format: "T20", ballsPerOver: 6, oversLimit: 20 }),
      /already started/,
    ],
    [
      "a penalty for an innings not started",
      inPlay,
      ev(9, "penalty", { innings: 2, runs: 5 }),
      /has not started/,
    ],
    ["negative runs", inPlay, ev(9, "delivery", { ...delivery, batterRuns: -1 }), /non-negative/],
    ["a batter at both ends", inPlay, ev(9, "delivery", { ...delivery, nonStriker: "A" }), /both striker/],
    [
      "innings.end for an innings not started",
      inPlay,
      ev(9, "innings.end", { innings: 2, reason: "all out" }),
      /not started/,
    ],
  ] as const)("rejects %s", (_, state, event, message) => {
    expect(() => apply(state, event)).toThrow(ScoringError);
    expect(() => apply(state, event)).toThrow(message);
  });

  it("rejects play in an innings that has ended, and after match.end", () => {
    const log = new EventLog().start().innings().ball().end("all out");
    const ended = replay(log.events);
    expect(() => apply(ended, ev(9, "delivery", delivery))).toThrow(/has ended/);
    expect(() => apply(ended, ev(9, "innings.end", { innings: 1, reason: "all out" }))).toThrow(
      /already ended/,
    );
    const finished = replay(log.finish({ kind: "no result" }).events);
    expect(() =>
      apply(finished, ev(9, "innings.start", { battingTeam: "A", bowlingTeam: "H", superOver: false })),
    ).toThrow(/after match.end/);
    expect(() => apply(finished, ev(10, "match.end", { result: { kind: "draw" } }))).toThrow(ScoringError);
    // Late penalties still apply after the match ends (Cricsheet "post" penalties).
    expect(apply(finished, ev(9, "penalty", { innings: 1, runs: 5 })).innings[0]?.runs).toBe(5);
  });
});
