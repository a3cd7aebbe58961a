/** The readable scorecard, checked line by line against real matches rather than a snapshot of the whole text. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cricsheetToEvents } from "../../../cricsheet/index.ts";
import { readCricsheetFile, readJsonFile } from "../../../cricsheet/read-file.ts";
import { type ProviderEvent, replay, scorecard } from "../../../scoring/index.ts";
import { cricsheetSquads } from "../../../scripts/cli/cricsheet-squads.ts";
import { scorecardText } from "../../../scripts/cli/scorecard-text.ts";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/cricsheet");
const EXTRA = join(import.meta.dirname, "../../../fixtures/cricsheet-extra");
const fixture = (id: string, dir = FIXTURES) => join(dir, `${id}.json`);

function textOf(events: ProviderEvent[], squads?: Record<string, string[]>): string {
  const state = replay(events);
  return scorecardText(scorecard(state), { match: state.match, squads });
}

/** The card as the CLI prints it, elevens included. */
function cardOf(id: string, dir = FIXTURES): string {
  return textOf(readCricsheetFile(fixture(id, dir)), cricsheetSquads(readJsonFile(fixture(id, dir))));
}

const lines = (text: string) => text.split("\n");

describe("scorecardText, Kings XI Punjab v Rajasthan Royals (1175359)", () => {
  const text = cardOf("1175359");

  it("opens with the teams, the match and the toss", () => {
    expect(lines(text).slice(0, 3)).toEqual([
      "Kings XI Punjab v Rajasthan Royals",
      "Indian Premier League #4, T20, Sawai Mansingh Stadium",
      "Toss: Rajasthan Royals, elected to field",
    ]);
  });

  it("heads each innings with the overs limit, and the chase with its target", () => {
    expect(text).toMatch(/^Kings XI Punjab innings \(20 overs maximum\)$/m);
    expect(text).toMatch(/^Rajasthan Royals innings \(20 overs maximum, target 185\)$/m);
  });

  it("prints a batter's line: dismissal, R, B, 4s, 6s, SR", () => {
    expect(text).toMatch(/^CH Gayle +c RA Tripathi b BA Stokes +79 +47 +8 +4 +168\.09$/m);
    expect(text).toMatch(/^SN Khan +not out +46 +29 +6 +1 +158\.62$/m);
  });

  it("prints extras with their breakdown, and the totals with overs and run rate", () => {
    expect(text).toMatch(/^Extras +\(b 4, lb 4, w 8\) +16$/m);
    expect(text).toMatch(/^Total +184\/4 \(20 Ov, RR 9\.20\)$/m);
    expect(text).toMatch(/^Extras +\(lb 1, w 2, nb 2\) +5$/m);
    expect(text).toMatch(/^Total +170\/9 \(20 Ov, RR 8\.50\)$/m);
  });

  it("lists who did not bat, in the team's order, and only where someone did not", () => {
    expect(text).toMatch(/^Did not bat: SM Curran, R Ashwin, Mohammed Shami, Mujeeb Ur Rahman, AS Rajpoot$/m);
    expect(text.match(/Did not bat/g)).toHaveLength(1);
  });

  it("prints the fall of wickets with the batter and the ball", () => {
    expect(text).toMatch(/^Fall of wickets: 1-4 \(KL Rahul, 0\.4 ov\), 2-60 \(MA Agarwal, 8\.5 ov\),/m);
    expect(text).toContain("9-164 (K Gowtham, 19.2 ov)");
  });

  it("prints a bowler's line: O, M, R, W, Econ, WD, NB", () => {
    expect(text).toMatch(/^BA Stokes +4 +0 +48 +2 +12\.00 +3 +0$/m);
    expect(text).toMatch(/^AS Rajpoot +4 +0 +33 +2 +8\.25 +0 +2$/m);
  });

  it("ends with the result", () => {
    expect(text.endsWith("\nResult: Kings XI Punjab won by 14 runs\n")).toBe(true);
  });

  it("lines figures up under their headings, and has no colour codes", () => {
    const all = lines(text);
    for (const headings of [
      ["Batter", "R", "B", "4s", "6s", "SR"],
      ["Bowler", "O", "M", "R", "W", "Econ", "WD", "NB"],
    ]) {
      const start = all.findIndex((l) => l.startsWith(headings[0] as string));
      const head = all[start] as string;
      expect(head.split(/ +/)).toEqual(headings);
      // Every row's runs figure ends exactly under the "R" heading (Total carries its score in words).
      const rEnd = head.indexOf(" R ") + 2;
      const rows = all.slice(start + 1, all.indexOf("", start)).filter((l) => !l.startsWith("Total"));
      expect(rows.length).toBeGreaterThan(5);
      for (const row of rows) {
        expect(row[rEnd - 1], row).toMatch(/\d/);
        expect(row[rEnd] ?? " ", row).toBe(" ");
      }
    }
    expect(text.includes("\u001b")).toBe(false);
  });
});

describe("scorecardText, other shapes of match", () => {
  it("a Test: innings numbered per team, declared, all out, follow-on, fourth-innings target", () => {
    const text = cardOf("1322356");
    expect(text).toMatch(/^England 1st innings$/m);
    expect(text).toMatch(/^Total +435\/8d \(87\.1 Ov, RR 4\.99\)$/m);
    expect(text).toMatch(/^Did not bat: JM Anderson$/m);
    expect(text).toMatch(/^Total +209 all out \(53\.2 Ov, RR 3\.92\)$/m);
    expect(text).toMatch(/^New Zealand 2nd innings \(following on\)$/m);
    expect(text).toMatch(/^England 2nd innings \(target 258\)$/m);
    expect(text).toMatch(/\nResult: New Zealand won by 1 run\n$/);
  });

  it("super overs: numbered when a team has two, their targets, no did-not-bat list", () => {
    const text = cardOf("1216517");
    expect(text).toMatch(/^Kings XI Punjab super over$/m);
    expect(text).toMatch(/^Mumbai Indians super over \(target 6\)$/m);
    expect(text).toMatch(/^Mumbai Indians super over 2$/m);
    expect(text).toMatch(/^Kings XI Punjab super over 2 \(target 12\)$/m);
    expect(text).toMatch(/^Total +15\/0 \(0\.4 Ov, RR 22\.50\)$/m);
    expect(text.match(/Did not bat/g)).toHaveLength(2);
    expect(text).toMatch(/\nResult: Match tied; Kings XI Punjab won the super over\n$/);
  });

  it("a rain-reduced chase: the target's own overs replace the maximum", () => {
    const text = cardOf("1082648");
    expect(text).toMatch(/^Kolkata Knight Riders innings \(target 48 from 6 overs\)$/m);
    expect(text).toMatch(/^Total +48\/3 \(5\.2 Ov, RR 9\.00\)$/m);
    expect(text).toMatch(/\nResult: Kolkata Knight Riders won by 7 wickets \(D\/L\)\n$/);
  });

  it('substitutes: "c sub" when Cricsheet has no name, "sub (Name)" when it has one', () => {
    const kenya = cardOf("1424761", EXTRA);
    expect(kenya).toMatch(/^RR Patel +c sub b R Baaleri +5 +5 +1 +0 +100\.00$/m);
    const worldCupFinal = cardOf("1144530");
    expect(worldCupFinal).toMatch(/^TWM Latham +c sub \(JM Vince\) b CR Woakes +47 +56 /m);
    expect(worldCupFinal).toMatch(/^JC Buttler +c sub \(TG Southee\) b LH Ferguson +59 +60 /m);
  });

  it("absent hurt: named under the batters, not under did not bat, and the side is all out", () => {
    const text = cardOf("1349128", EXTRA);
    expect(text).toMatch(/^I Ntirenganya +not out +0 +0 +0 +0 +-\nO Manishimwe +absent hurt\nExtras /m);
    expect(text).toMatch(/^Total +35 all out \(11\.2 Ov, RR 3\.09\)$/m);
    expect(text).not.toMatch(/Did not bat: .*O Manishimwe/);
  });

  it("a super over ended by its second wicket is all out", () => {
    const text = cardOf("1178426", EXTRA);
    expect(text).toMatch(/^Sunrisers Hyderabad super over\n(.*\n)*Total +8 all out \(0\.4 Ov, RR 12\.00\)$/m);
    expect(text).toMatch(/\nResult: Match tied; Mumbai Indians won the super over\n$/);
  });

  it("a first innings reduced before the match began says its own maximum", () => {
    expect(cardOf("1187669")).toMatch(/^New Zealand innings \(11 overs maximum\)$/m);
    expect(cardOf("1178424")).toMatch(/^Royal Challengers Bangalore innings \(5 overs maximum\)$/m);
  });

  it("a rain-affected chase with no target in the file: no invented target, no maximum", () => {
    // Ireland v Australia (743973), D/L, as older Cricsheet files are written: no target.
    const json = readJsonFile(fixture("743973")) as { innings: { target?: unknown }[] };
    delete json.innings[1]?.target;
    const text = textOf(cricsheetToEvents(json, { matchId: "m" }));
    expect(text).toMatch(/^Ireland innings$/m);
    expect(text).not.toMatch(/target/);
    expect(text).toMatch(/\nResult: Australia won by 23 runs \(D\/L\)\n$/);
  });

  it("without the elevens there is no did-not-bat line", () => {
    const text = textOf(readCricsheetFile(fixture("1175359")));
    expect(text).not.toMatch(/Did not bat/);
    expect(text).toMatch(/^Total +184\/4 \(20 Ov, RR 9\.20\)$/m);
  });

  it("a match in progress: yet to bat, and no result yet", () => {
    const events = readCricsheetFile(fixture("1175359"));
    const secondInnings = events.findLastIndex((e) => e.type === "innings.start");
    const live = events.slice(0, secondInnings + 13);
    const text = textOf(live, cricsheetSquads(readJsonFile(fixture("1175359"))));
    expect(text).toMatch(/^Yet to bat: SV Samson, /m);
    expect(text).toMatch(/\nResult: in progress\n$/);
  });

  it("a forfeited innings says so and prints no empty tables", () => {
    const at = (seq: number) => ({ matchId: "m", seq, ts: `2024-01-01T00:00:0${seq}Z` });
    const text = textOf([
      {
        ...at(1),
        type: "match.start",
        payload: { teams: ["A", "B"], format: "Test", ballsPerOver: 6, oversLimit: null },
      },
      { ...at(2), type: "innings.start", payload: { battingTeam: "A", bowlingTeam: "B", superOver: false } },
      { ...at(3), type: "innings.end", payload: { innings: 1, reason: "forfeited" } },
    ]);
    expect(text).toMatch(/^A 1st innings\n\nInnings forfeited\n/m);
    expect(text).not.toMatch(/Batter|Bowler/);
    expect(text).toMatch(/\nResult: in progress \(innings break\)\n$/);
  });
});
