import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { replay, scorecard } from "../../../scoring/index.ts";
import {
  cricsheetEvents,
  documentedInnings,
  documentedUmpireOvers,
  EXTRA_FIXTURE_DIR,
  FIXTURE_DIR,
} from "./cricsheet-log.ts";

const FOLDERS = [
  { name: "fixtures/cricsheet", dir: FIXTURE_DIR, matches: 27, innings: 75 },
  { name: "fixtures/cricsheet-extra", dir: EXTRA_FIXTURE_DIR, matches: 16, innings: 43 },
] as const;

describe.each(FOLDERS)("real matches ($name)", ({ dir, matches, innings }) => {
  const documented = documentedInnings(dir);
  const ids = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(".json", ""));

  it("parses the documented table", () => {
    expect(ids).toHaveLength(matches);
    expect(documented).toHaveLength(innings);
    expect(new Set(documented.map((d) => d.id)).size).toBe(ids.length);
  });

  it.each(ids)("%s matches the documented per-innings figures and card invariants", (id) => {
    const state = replay(cricsheetEvents(id, dir));
    const card = scorecard(state);
    const rows = documented.filter((d) => d.id === id);
    expect(card.innings).toHaveLength(rows.length);
    for (const row of rows) {
      const inn = card.innings[row.innings - 1];
      if (inn === undefined) throw new Error("missing innings");
      expect({
        team: inn.team,
        superOver: inn.superOver,
        runs: inn.runs,
        wickets: inn.wickets,
        legalBalls: inn.legalBalls,
        overs: inn.overs,
        extras: [
          inn.extras.wides,
          inn.extras.noballs,
          inn.extras.byes,
          inn.extras.legbyes,
          inn.extras.penalty,
        ],
        declared: inn.declared,
        forfeited: inn.forfeited,
      }).toEqual({
        team: row.team,
        superOver: row.superOver,
        runs: row.runsWithPenaltyRuns,
        wickets: row.wickets,
        legalBalls: row.legalBalls,
        overs: row.overs,
        extras: [
          row.extras[0],
          row.extras[1],
          row.extras[2],
          row.extras[3],
          row.extras[4] + (row.runsWithPenaltyRuns - row.runs),
        ],
        declared: row.declared,
        forfeited: row.forfeited,
      });
    }
    for (const [i, inn] of card.innings.entries()) {
      const penaltyEvents = state.innings[i]?.penalties.reduce((n, p) => n + p.runs, 0) ?? 0;
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(sum(inn.batters.map((b) => b.runs)) + inn.extras.total).toBe(inn.runs);
      expect(
        sum(inn.bowlers.map((b) => b.runs)) + inn.extras.byes + inn.extras.legbyes + inn.extras.penalty,
      ).toBe(inn.runs);
      expect(sum(inn.bowlers.map((b) => b.legalBalls))).toBe(inn.legalBalls);
      expect(sum(inn.partnerships.map((p) => p.runs))).toBe(inn.runs - penaltyEvents);
      expect(sum(inn.partnerships.map((p) => p.balls))).toBe(inn.legalBalls);
      expect(inn.fallOfWickets.map((f) => f.wicket)).toEqual(
        Array.from({ length: inn.wickets }, (_, k) => k + 1),
      );
      expect(sum(inn.bowlers.map((b) => b.wickets))).toBeLessThanOrEqual(inn.wickets);
      expect(sum(inn.perOver.map((o) => o.runs))).toBe(inn.runs - penaltyEvents);
      expect(inn.batters.filter((b) => b.out).length).toBe(inn.wickets);
    }
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe("the umpire's overs documented in fixtures/cricsheet-extra", () => {
  const rows = documentedUmpireOvers();

  it("lists every short or long over (eleven of them)", () => {
    expect(rows).toHaveLength(11);
  });

  it.each(rows)("$id: innings $innings, over $over, the bowler's overs and maidens", (row) => {
    const state = replay(cricsheetEvents(row.id, EXTRA_FIXTURE_DIR));
    const inn = scorecard(state).innings[row.innings - 1];
    const over = state.innings[row.innings - 1]?.perOver.find((o) => o.over === row.over);
    expect(over).toMatchObject({ legalBalls: row.legalBalls, complete: true });
    const b = inn?.bowlers.find((x) => x.name === row.bowler);
    expect({ overs: b?.overs, maidens: b?.maidens }).toEqual({
      overs: row.bowlerOvers,
      maidens: row.bowlerMaidens,
    });
  });
});
