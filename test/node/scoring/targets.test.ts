import { describe, expect, it } from "vitest";
import { replay, scorecard } from "../../../scoring/index.ts";
import { EventLog } from "./events.ts";

function cards(log: EventLog) {
  return scorecard(replay(log.events)).innings;
}

function card(log: EventLog, n: number) {
  const inn = cards(log)[n - 1];
  if (inn === undefined) throw new Error(`no innings ${n}`);
  return inn;
}

describe("limited-overs chase", () => {
  function chase() {
    const log = new EventLog().start({ oversLimit: 2 }).innings("Home", "Away");
    log
      .balls(6, { batterRuns: 2 })
      .balls(6, { batterRuns: 1, batter: "A", nonStriker: "B" })
      .end("overs complete");
    return log.innings("Away", "Home");
  }

  it("sets the target to the first innings' total + 1 in the overs limit", () => {
    const log = chase();
    expect(card(log, 1).runs).toBe(18);
    expect(card(log, 2)).toMatchObject({
      target: { runs: 19, overs: 2 },
      runsNeeded: 19,
      ballsRemaining: 12,
    });
    expect(card(log, 2).requiredRunRate).toBe(9.5);
    expect(card(log, 1).target).toBeNull();
  });

  it("updates runs and balls needed, the required rate and the projected score ball by ball", () => {
    const log = chase()
      .balls(3, { batterRuns: 2 })
      .ball({ extras: { wides: 1 } });
    expect(card(log, 2)).toMatchObject({
      runs: 7,
      runsNeeded: 12,
      ballsRemaining: 9,
      requiredRunRate: 8,
      runRate: 14,
      projectedScore: 28,
    });
  });

  it("lets the provider's target (D/L, fractional overs) win over the derived one", () => {
    const log = new EventLog().start().innings().balls(6, { batterRuns: 6 }).end("overs complete");
    log
      .innings("Away", "Home", { superOver: false, target: { runs: 45, overs: 9.5 } })
      .balls(6, { batterRuns: 1 });
    expect(card(log, 2)).toMatchObject({
      target: { runs: 45, overs: 9.5 },
      runsNeeded: 39,
      ballsRemaining: 53,
    });
    expect(card(log, 2).requiredRunRate).toBe(4.42);
  });

  it("reports runs and wickets in the last five overs", () => {
    const log = new EventLog().start().innings();
    for (let over = 0; over < 7; over++) log.balls(6, { batterRuns: over });
    log.out({ kind: "bowled", playerOut: "A" });
    // The last five overs are overs 3 to 6 (3, 4, 5 and 6 runs a ball) and over 7's wicket ball.
    expect(card(log, 1).lastFiveOvers).toEqual({ runs: 6 * (3 + 4 + 5 + 6), wickets: 1 });
  });
});

describe("super overs", () => {
  it("keeps super overs as separate innings, each chasing its pair's first total + 1 in one over", () => {
    const log = new EventLog().start({ oversLimit: 1 }).innings("Home", "Away").balls(6, { batterRuns: 1 });
    log.end("overs complete").innings("Away", "Home").balls(6, { batterRuns: 1 }).end("overs complete");
    log.innings("Away", "Home", { superOver: true }).balls(6, { batterRuns: 2 }).end("overs complete");
    log.innings("Home", "Away", { superOver: true }).balls(6, { batterRuns: 2 }).end("overs complete");
    log.innings("Home", "Away", { superOver: true }).balls(2, { batterRuns: 4 }).end("overs complete");
    log.innings("Away", "Home", { superOver: true });
    const all = cards(log);
    expect(all.map((c) => [c.superOver, c.runs, c.target?.runs ?? null])).toEqual([
      [false, 6, null],
      [false, 6, 7],
      [true, 12, null],
      [true, 12, 13],
      [true, 8, null],
      [true, 0, 9],
    ]);
    expect(all[5]?.target).toEqual({ runs: 9, overs: 1 });
    expect(all[5]?.projectedScore).toBeNull();
  });
});

describe("Test matches", () => {
  function test() {
    return new EventLog().start({ format: "Test", oversLimit: null });
  }

  it("derives lead/trail, follow-on and the fourth-innings target, with declarations", () => {
    const log = test().innings("Home", "Away").balls(6, { batterRuns: 4 }).end("declared");
    log.innings("Away", "Home").balls(6, { batterRuns: 1 }).end("all out");
    expect(card(log, 1)).toMatchObject({ runs: 24, declared: true, endReason: "declared", lead: null });
    expect(card(log, 2)).toMatchObject({ runs: 6, lead: -18, target: null, projectedScore: null });
    log.innings("Away", "Home").balls(6, { batterRuns: 6 }).end("all out");
    expect(card(log, 3)).toMatchObject({ followOn: true, runs: 36, lead: 18 });
    log.innings("Home", "Away").ball({ batterRuns: 4 });
    expect(card(log, 4)).toMatchObject({
      target: { runs: 19, overs: null },
      runsNeeded: 15,
      ballsRemaining: null,
      requiredRunRate: null,
      lead: -14,
    });
  });

  it("takes the follow-on flag from the provider and records a forfeited innings", () => {
    const log = test().innings("Home", "Away").ball().end("declared");
    log.innings("Away", "Home").end("forfeited");
    log.innings("Home", "Away", { followOn: false });
    expect(card(log, 2)).toMatchObject({ forfeited: true, declared: false, runs: 0, legalBalls: 0 });
    expect(card(log, 3).followOn).toBe(false);
  });
});

describe("penalty events", () => {
  it("adds a post-innings penalty to an ended innings and moves the chase's target", () => {
    const log = new EventLog().start().innings().balls(6, { batterRuns: 1 }).end("overs complete");
    log.innings("Away", "Home").ball({ batterRuns: 1 }).penalty(1, 5);
    expect(card(log, 1)).toMatchObject({ runs: 11, extras: { penalty: 5, total: 5 } });
    expect(card(log, 2)).toMatchObject({ runs: 1, target: { runs: 12, overs: 20 }, runsNeeded: 11 });
  });
});

describe("match status and result", () => {
  it("moves scheduled -> live -> innings break -> finished and keeps the provider's result", () => {
    const log = new EventLog().start();
    expect(replay(log.events).status).toBe("scheduled");
    log.innings();
    expect(replay(log.events).status).toBe("live");
    log.ball().end("all out");
    expect(replay(log.events).status).toBe("innings break");
    log.innings("Away", "Home").ball();
    expect(replay(log.events).status).toBe("live");
    log.finish({ kind: "win", winner: "Away", by: { wickets: 10 }, method: undefined });
    const state = replay(log.events);
    expect(state.status).toBe("finished");
    expect(state.result).toStrictEqual({ kind: "win", winner: "Away", by: { wickets: 10 } });
    expect(state.innings[1]?.status).toBe("complete");
    expect(scorecard(state)).toMatchObject({ teams: ["Home", "Away"], format: "T20", result: state.result });
  });
});
