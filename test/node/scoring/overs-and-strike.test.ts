import { describe, expect, it } from "vitest";
import { replay, scorecard } from "../../../scoring/index.ts";
import { EventLog } from "./events.ts";

function firstInnings(log: EventLog) {
  const inn = replay(log.events).innings[0];
  if (inn === undefined) throw new Error("no innings");
  return inn;
}

function maidens(log: EventLog, name = "X"): number {
  return firstInnings(log).bowlers.find((b) => b.name === name)?.maidens ?? -1;
}

describe("maidens", () => {
  it("counts a complete over of dots as a maiden", () => {
    expect(maidens(new EventLog().start().innings().balls(6))).toBe(1);
  });

  it("counts an over whose only runs are leg-byes and byes as a maiden", () => {
    const log = new EventLog().start().innings();
    log
      .balls(2)
      .ball({ extras: { legbyes: 1 } })
      .ball({ extras: { byes: 4 } })
      .balls(2);
    expect(maidens(log)).toBe(1);
    expect(firstInnings(log).runs).toBe(5);
  });

  it("does not count an over with a wide or a no-ball as a maiden", () => {
    const wide = new EventLog()
      .start()
      .innings()
      .balls(3)
      .ball({ extras: { wides: 1 } })
      .balls(3);
    expect(maidens(wide)).toBe(0);
    const noball = new EventLog()
      .start()
      .innings()
      .balls(3)
      .ball({ extras: { noballs: 1 } })
      .balls(3);
    expect(maidens(noball)).toBe(0);
  });

  it("does not count an over with a run off the bat, or an unfinished over", () => {
    expect(maidens(new EventLog().start().innings().balls(5).ball({ batterRuns: 1 }))).toBe(0);
    expect(maidens(new EventLog().start().innings().balls(5))).toBe(0);
  });

  it("gives nobody a maiden for an over finished by another bowler", () => {
    const log = new EventLog().start().innings().balls(3).balls(3, { bowler: "Y" });
    expect(maidens(log, "X")).toBe(0);
    expect(maidens(log, "Y")).toBe(0);
  });

  it("counts maidens over several overs and bowlers, using the match's balls per over", () => {
    const log = new EventLog().start({ ballsPerOver: 5, format: "Hundred", oversLimit: 20 }).innings();
    log.balls(5).balls(5, { bowler: "Y" }).balls(4).ball({ batterRuns: 2 }).balls(5, { bowler: "Y" });
    const inn = firstInnings(log);
    expect(inn.bowlers.map((b) => [b.name, b.overs, b.maidens])).toEqual([
      ["X", "2.0", 1],
      ["Y", "2.0", 2],
    ]);
    expect(inn.overs).toBe("4.0");
  });
});

describe("strike rotation", () => {
  it("swaps ends on odd runs run and at the end of the over", () => {
    const log = new EventLog().start().innings();
    log.ball({ batterRuns: 1 });
    expect(firstInnings(log)).toMatchObject({ striker: "B", nonStriker: "A" });
    log.ball({ batter: "B", nonStriker: "A", batterRuns: 2 });
    expect(firstInnings(log)).toMatchObject({ striker: "B", nonStriker: "A" });
    log.ball({ batter: "B", nonStriker: "A", batterRuns: 4 });
    log.ball({ batter: "B", nonStriker: "A", extras: { legbyes: 3 } });
    expect(firstInnings(log)).toMatchObject({ striker: "A", nonStriker: "B" });
    log.ball({ extras: { wides: 2 } });
    expect(firstInnings(log)).toMatchObject({ striker: "B", nonStriker: "A" });
    log.ball({ batter: "B", nonStriker: "A" });
    // The over's last ball is a single: the batters cross, then the ends change, so B faces again.
    log.ball({ batter: "B", nonStriker: "A", batterRuns: 1 });
    expect(firstInnings(log)).toMatchObject({ striker: "B", nonStriker: "A", overs: "1.0" });
  });

  it("swaps ends at the end of an over of dots", () => {
    const log = new EventLog().start().innings().balls(6);
    expect(firstInnings(log)).toMatchObject({ striker: "B", nonStriker: "A" });
  });

  it("leaves the dismissed batter's end empty, with a new batter on strike after a catch", () => {
    const bowled = new EventLog().start().innings().out({ kind: "bowled", playerOut: "A" });
    expect(firstInnings(bowled)).toMatchObject({ striker: null, nonStriker: "B" });
    // Caught off the over's last ball: the not-out batter faces the next over.
    const caught = new EventLog()
      .start()
      .innings()
      .balls(5)
      .out({ kind: "caught", playerOut: "B", fielders: ["F"] }, { batter: "B", nonStriker: "A" });
    expect(firstInnings(caught)).toMatchObject({ striker: "A", nonStriker: null });
    const runOutNonStriker = new EventLog()
      .start()
      .innings()
      .out({ kind: "run out", playerOut: "B", fielders: ["F"] }, { batterRuns: 1 });
    expect(firstInnings(runOutNonStriker)).toMatchObject({ striker: null, nonStriker: "A" });
  });
});

describe("partnerships and fall of wickets", () => {
  it("tracks each stand's runs, balls and contributions, and where wickets fell", () => {
    const log = new EventLog().start().innings();
    log
      .ball({ batterRuns: 4 })
      .ball({ batterRuns: 1 })
      .ball({ batter: "B", nonStriker: "A", extras: { wides: 1 } });
    log.out({ kind: "lbw", playerOut: "B" }, { batter: "B", nonStriker: "A" });
    log.ball({ batter: "C", nonStriker: "A", batterRuns: 2 });
    const inn = firstInnings(log);
    expect(inn.partnerships).toEqual([
      {
        wicket: 1,
        batters: [
          { name: "A", runs: 5, balls: 2 },
          { name: "B", runs: 0, balls: 1 },
        ],
        runs: 6,
        balls: 3,
        ended: true,
      },
      {
        wicket: 2,
        batters: [
          { name: "C", runs: 2, balls: 1 },
          { name: "A", runs: 0, balls: 0 },
        ],
        runs: 2,
        balls: 1,
        ended: false,
      },
    ]);
    expect(inn.fallOfWickets).toEqual([{ wicket: 1, runs: 6, player: "B", kind: "lbw", over: "0.3" }]);
  });

  it("places a wicket on the over's last ball at x.6, and one off a wide at the overs bowled", () => {
    const log = new EventLog().start().innings().balls(5);
    log.out({ kind: "bowled", playerOut: "A" }).out(
      { kind: "stumped", playerOut: "C", fielders: ["K"] },
      {
        batter: "C",
        extras: { wides: 1 },
      },
    );
    expect(firstInnings(log).fallOfWickets.map((f) => f.over)).toEqual(["0.6", "1.0"]);
  });

  it("keeps per-over runs, wickets and the cumulative total for the charts", () => {
    const log = new EventLog().start().innings();
    log.balls(5, { batterRuns: 1 }).out({ kind: "bowled", playerOut: "A" });
    log.ball({ batter: "C", extras: { wides: 1 } }).ball({ batter: "C", batterRuns: 6 });
    const inn = firstInnings(log);
    expect(inn.perOver.map((o) => [o.over, o.runs, o.wickets, o.total, o.legalBalls])).toEqual([
      [0, 5, 1, 5, 6],
      [1, 7, 0, 12, 1],
    ]);
    expect(scorecard(replay(log.events)).innings[0]?.recentBalls.slice(-4)).toEqual(["1", "W", "1wd", "6"]);
  });
});
