/**
 * The acceptance check of issue 10, for all 43 fixtures: what `npm run -s cli -- scorecard FILE
 * --json` prints equals what the Laws oracle (`laws-oracle.ts`) computes from the raw file, figure
 * by figure: every innings' runs, wickets, legal balls, overs and extras; every batter's runs,
 * balls, fours, sixes and dismissal; every bowler's balls, overs (as the umpire counted them),
 * runs, wickets, maidens, wides and no-balls; the format and the result.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readCricsheetFile } from "../../../cricsheet/read-file.ts";
import { replay, type Scorecard, scorecard } from "../../../scoring/index.ts";
import { runCli } from "../../../scripts/cli/run-cli.ts";
import { allFixturePaths, type OracleMatch, scoreMatch } from "./laws-oracle.ts";

const paths = allFixturePaths();

/** Runs the CLI in-process, as `npm run -s cli -- scorecard FILE --json` would, and parses its output. */
async function cliScorecard(path: string): Promise<Scorecard> {
  let out = "";
  let err = "";
  const code = await runCli(["scorecard", path, "--json"], {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  if (code !== 0) throw new Error(`scorecard ${path} --json exited ${code}: ${err}`);
  return JSON.parse(out) as Scorecard;
}

it("covers all 43 fixtures: the first 27 and the 16 rare cases", () => {
  expect(paths).toHaveLength(43);
  expect(paths.filter((p) => p.includes("cricsheet-extra"))).toHaveLength(16);
});

for (const path of paths) {
  const file = path.split("/").slice(-2).join("/");
  describe(file, () => {
    let card: Scorecard;
    let oracle: OracleMatch;

    beforeAll(async () => {
      card = await cliScorecard(path);
      oracle = scoreMatch(path);
    });

    it("--json prints the engine's scorecard of the adapter's events", () => {
      expect(card).toEqual(JSON.parse(JSON.stringify(scorecard(replay(readCricsheetFile(path))))));
    });

    it("format, result, and the innings in order", () => {
      const result = card.result?.kind === "win" ? `win ${card.result.winner}` : card.result?.kind;
      expect({ format: card.format, result, teams: card.innings.map((i) => i.team) }).toEqual({
        format: oracle.format,
        result: oracle.result,
        teams: oracle.innings.map((i) => i.team),
      });
    });

    it("each innings' runs, wickets, balls, overs, extras, declaration and forfeit", () => {
      for (const [i, o] of oracle.innings.entries()) {
        const c = card.innings[i];
        expect({
          innings: i + 1,
          runs: c?.runs,
          wickets: c?.wickets,
          legalBalls: c?.legalBalls,
          overs: c?.overs,
          extras: c?.extras,
          declared: c?.declared,
          forfeited: c?.forfeited,
        }).toEqual({
          innings: i + 1,
          runs: o.runs,
          wickets: o.wickets,
          legalBalls: o.legalBalls,
          overs: o.overs,
          extras: o.extras,
          declared: o.declared,
          forfeited: o.forfeited,
        });
      }
    });

    it("each batter's runs, balls, fours, sixes and whether out", () => {
      for (const [i, o] of oracle.innings.entries()) {
        const batters = Object.fromEntries(
          (card.innings[i]?.batters ?? []).map((b) => [
            b.name,
            { runs: b.runs, balls: b.balls, fours: b.fours, sixes: b.sixes, out: b.out },
          ]),
        );
        expect({ innings: i + 1, batters }).toEqual({ innings: i + 1, batters: o.batters });
      }
    });

    it("each bowler's balls, overs, runs, wickets, maidens, wides and no-balls", () => {
      for (const [i, o] of oracle.innings.entries()) {
        const bowlers = Object.fromEntries(
          (card.innings[i]?.bowlers ?? []).map((b) => [
            b.name,
            {
              legalBalls: b.legalBalls,
              overs: b.overs,
              runs: b.runs,
              wickets: b.wickets,
              maidens: b.maidens,
              wides: b.wides,
              noballs: b.noballs,
            },
          ]),
        );
        expect({ innings: i + 1, bowlers }).toEqual({ innings: i + 1, bowlers: o.bowlers });
      }
    });
  });
}
