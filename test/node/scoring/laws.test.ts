import { describe, expect, it } from "vitest";
import { DISMISSAL_KINDS, type DismissalKind, replay, scorecard } from "../../../scoring/index.ts";
import { EventLog } from "./events.ts";

function card(log: EventLog) {
  const inn = scorecard(replay(log.events)).innings[0];
  if (inn === undefined) throw new Error("no innings");
  return inn;
}

function batter(log: EventLog, name: string) {
  const b = card(log).batters.find((x) => x.name === name);
  if (b === undefined) throw new Error(`no batter ${name}`);
  return b;
}

function bowler(log: EventLog, name = "X") {
  const b = card(log).bowlers.find((x) => x.name === name);
  if (b === undefined) throw new Error(`no bowler ${name}`);
  return b;
}

describe("legal balls, balls faced and runs", () => {
  it("does not count wides or no-balls towards the over", () => {
    const log = new EventLog().start().innings();
    log
      .ball({ extras: { wides: 1 } })
      .ball({ extras: { noballs: 1 } })
      .balls(5);
    const inn = card(log);
    expect(inn.legalBalls).toBe(5);
    expect(inn.overs).toBe("0.5");
    expect(bowler(log).legalBalls).toBe(5);
    expect(bowler(log).overs).toBe("0.5");
  });

  it("counts a no-ball as a ball faced but not a wide", () => {
    const log = new EventLog().start().innings();
    log
      .ball({ extras: { wides: 1 } })
      .ball({ extras: { noballs: 1 }, batterRuns: 2 })
      .ball({ batterRuns: 1 });
    const a = batter(log, "A");
    expect(a.balls).toBe(2);
    expect(a.runs).toBe(3);
  });

  it("counts fours and sixes only when they are boundaries", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 4 }).ball({ batterRuns: 6 }).ball({ batterRuns: 4, nonBoundary: true });
    log.ball({ batterRuns: 6, extras: { noballs: 1 } });
    const a = batter(log, "A");
    expect(a).toMatchObject({ runs: 20, balls: 4, fours: 1, sixes: 2 });
    expect(a.strikeRate).toBe(500);
  });

  it("charges the bowler with bat runs, wides and no-balls but not byes, leg-byes or penalties", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 3 });
    log.ball({ extras: { wides: 5 } });
    log.ball({ extras: { noballs: 1 }, batterRuns: 4 });
    log.ball({ extras: { byes: 4 } });
    log.ball({ extras: { legbyes: 2 } });
    log.ball({ extras: { noballs: 1, byes: 1 } });
    log.ball({ extras: { penalty: 5 } });
    const inn = card(log);
    expect(bowler(log)).toMatchObject({ runs: 3 + 5 + 5 + 1, wides: 1, noballs: 2, legalBalls: 4 });
    expect(inn.extras).toEqual({ wides: 5, noballs: 2, byes: 5, legbyes: 2, penalty: 5, total: 19 });
    expect(inn.runs).toBe(3 + 4 + 19);
    expect(batter(log, "A").runs).toBe(7);
  });

  it("gives the bowler an economy in runs per over", () => {
    const log = new EventLog().start().innings();
    log.balls(6, { batterRuns: 1 }).balls(3, { batterRuns: 2 });
    expect(bowler(log)).toMatchObject({ runs: 12, overs: "1.3", economy: 8 });
  });
});

describe("dismissals", () => {
  const credited: DismissalKind[] = ["bowled", "caught", "caught and bowled", "lbw", "stumped", "hit wicket"];
  const notWickets: DismissalKind[] = ["retired hurt", "retired not out"];

  it.each(DISMISSAL_KINDS)("%s: credits the bowler and the innings as the Laws say", (kind) => {
    const log = new EventLog().start().innings();
    log.out({ kind, playerOut: "A", fielders: ["F"] });
    const inn = card(log);
    expect(bowler(log).wickets).toBe(credited.includes(kind) ? 1 : 0);
    expect(inn.wickets).toBe(notWickets.includes(kind) ? 0 : 1);
    const a = batter(log, "A");
    expect(a.out).toBe(!notWickets.includes(kind));
    expect(inn.fallOfWickets).toHaveLength(notWickets.includes(kind) ? 0 : 1);
  });

  it("prints how each batter was out", () => {
    const cases: [DismissalKind, string[], string][] = [
      ["bowled", [], "b X"],
      ["caught", ["Smith"], "c Smith b X"],
      ["caught and bowled", ["X"], "c & b X"],
      ["lbw", [], "lbw b X"],
      ["stumped", ["Keeper"], "st Keeper b X"],
      ["hit wicket", [], "hit wicket b X"],
      ["run out", ["Smith", "Keeper"], "run out (Smith/Keeper)"],
      ["run out", [], "run out"],
      ["timed out", [], "timed out"],
      ["retired hurt", [], "retired hurt"],
      ["retired not out", [], "retired not out"],
      ["obstructing the field", [], "obstructing the field"],
    ];
    for (const [kind, fielders, expected] of cases) {
      const log = new EventLog().start().innings();
      log.out({ kind, playerOut: "A", fielders });
      expect(batter(log, "A").howOut).toBe(expected);
    }
    const log = new EventLog().start().innings().ball();
    expect(batter(log, "A").howOut).toBe("not out");
  });

  it("records two wickets on one delivery (caught, then the next batter timed out)", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 1 }).ball({ batter: "B", nonStriker: "A", batterRuns: 2 });
    log.ball({
      batter: "B",
      nonStriker: "A",
      wickets: [
        { kind: "caught", playerOut: "B", fielders: ["Smith"] },
        { kind: "timed out", playerOut: "C" },
      ],
    });
    const inn = card(log);
    expect(inn.wickets).toBe(2);
    expect(inn.batters.map((b) => [b.name, b.howOut, b.balls])).toEqual([
      ["A", "not out", 1],
      ["B", "c Smith b X", 2],
      ["C", "timed out", 0],
    ]);
    expect(inn.fallOfWickets).toEqual([
      { wicket: 1, runs: 3, player: "B", kind: "caught", over: "0.3" },
      { wicket: 2, runs: 3, player: "C", kind: "timed out", over: "0.3" },
    ]);
    expect(bowler(log).wickets).toBe(1);
  });

  it("continues a retired hurt batter's figures when they resume, and counts no wicket", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 2 });
    log.out({ kind: "retired hurt", playerOut: "A" }, { extras: { legbyes: 1 } });
    log.batter = "C";
    log.ball({ batterRuns: 4 });
    log.out({ kind: "bowled", playerOut: "C" });
    log.batter = "A";
    expect(batter(log, "A")).toMatchObject({ out: false, howOut: "retired hurt", runs: 2 });
    log.ball({ batterRuns: 3 });
    const inn = card(log);
    expect(inn.wickets).toBe(1);
    expect(inn.batters.map((b) => b.name)).toEqual(["A", "B", "C"]);
    expect(batter(log, "A")).toMatchObject({ out: false, howOut: "not out", runs: 5, balls: 3 });
    expect(inn.fallOfWickets).toEqual([{ wicket: 1, runs: 7, player: "C", kind: "bowled", over: "0.4" }]);
  });

  it("counts retired out and timed out as wickets", () => {
    const log = new EventLog().start().innings();
    log.out({ kind: "retired out", playerOut: "A" });
    log.batter = "C";
    log.out({ kind: "timed out", playerOut: "D" });
    expect(card(log).wickets).toBe(2);
    expect(bowler(log).wickets).toBe(0);
  });
});

describe("penalty runs", () => {
  it("adds delivery penalties and penalty events to the total and extras only", () => {
    const log = new EventLog().start().innings();
    log
      .ball({ extras: { wides: 2, penalty: 5 } })
      .ball({ batterRuns: 1 })
      .penalty(1, 5, "ball tampering");
    const inn = card(log);
    expect(inn.runs).toBe(13);
    expect(inn.extras.penalty).toBe(10);
    expect(inn.extras.total).toBe(12);
    expect(bowler(log).runs).toBe(3);
    expect(inn.batters.reduce((n, b) => n + b.runs, 0)).toBe(1);
    expect(inn.legalBalls).toBe(1);
  });
});
