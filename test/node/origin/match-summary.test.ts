import { describe, expect, it } from "vitest";
import { readCricsheetFile } from "../../../cricsheet/read-file.ts";
import { summarise } from "../../../origin/ledger/match-summary.ts";
import { emptyState, replay } from "../../../scoring/index.ts";

describe("the match list's line for a match", () => {
  it("carries every innings' score line, the result and the source's last event time", () => {
    const events = readCricsheetFile(
      new URL("../../../fixtures/cricsheet/1175359.json", import.meta.url).pathname,
    );
    const line = summarise(replay(events), events.length, 12);
    expect(line).toMatchObject({
      seq: events.length,
      status: "finished",
      teams: ["Kings XI Punjab", "Rajasthan Royals"],
      viewers: 12,
      result: "Kings XI Punjab won by 14 runs",
      lastEventTs: events.at(-1)?.ts,
    });
    expect(line.innings).toEqual([
      { team: "Kings XI Punjab", runs: 184, wickets: 4, overs: "20.0" },
      { team: "Rajasthan Royals", runs: 170, wickets: 9, overs: "20.0" },
    ]);
    // The chase as it ended: 185 to win, 15 short with the overs used up.
    expect(line.chase).toEqual({ target: 185, runsNeeded: 15, ballsRemaining: 0 });
    // A headline, not the state: small enough to list hundreds of matches.
    expect(JSON.stringify(line).length).toBeLessThan(460);
  });

  it("is empty but valid before the first event", () => {
    expect(summarise(emptyState("m"), 0, 0)).toEqual({
      matchId: "m",
      seq: 0,
      status: "scheduled",
      teams: [],
      title: null,
      innings: [],
      result: null,
      lastEventTs: null,
      viewers: 0,
      chase: null,
    });
  });
});
