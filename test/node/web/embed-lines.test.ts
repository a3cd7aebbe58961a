import { describe, expect, it } from "vitest";
import { replay as replayEngine } from "../../../scoring/index.ts";
import { fixtureEvents } from "../../../scripts/replay.ts";
import { faultForClose, freshnessLine, MESSAGES } from "../../../web/src/embed/freshness.ts";
import { scoreLine, scoreView } from "../../../web/src/embed/score-lines.ts";

/** What the embeddable widget prints, from the engine's state of a real match (pure, no DOM). */
describe("the widget's words", () => {
  const events = fixtureEvents("1175359", "embed-lines");

  it("prints each innings, the chase's requirement, the batters at the crease, then the result", () => {
    const chaseStart = events.findLastIndex((e) => e.type === "innings.start");
    const chasing = scoreView(replayEngine(events.slice(0, chaseStart + 13)));
    expect(chasing.innings).toHaveLength(2);
    expect(scoreLine(chasing.teams, chasing.innings)).toMatch(
      /^Kings XI Punjab 184\/4 \(20\.0\) · Rajasthan Royals \d+\/\d \(\d\.\d\)$/,
    );
    expect(chasing.requirement).toMatch(/^Rajasthan Royals need \d+ runs from \d+ balls$/);
    expect(chasing.batters).toMatch(/^[^,]+ \d+\* \(\d+\), [^,]+ \d+ \(\d+\)$/);
    expect(chasing.over).toBe(false);

    const done = scoreView(replayEngine(events));
    expect(scoreLine(done.teams, done.innings, "\n")).toBe(
      "Kings XI Punjab 184/4 (20.0)\nRajasthan Royals 170/9 (20.0)",
    );
    expect(done).toMatchObject({
      result: "Kings XI Punjab won by 14 runs",
      requirement: null,
      batters: null,
      over: true,
    });
  });

  it("shows the teams before the first ball", () => {
    const view = scoreView(replayEngine(events.slice(0, 1)));
    expect(scoreLine(view.teams, view.innings)).toBe("Kings XI Punjab v Rajasthan Royals");
  });

  it("never says Live while the socket is down, and says a refusal or an unknown match in words", () => {
    const line = (status: Parameters<typeof freshnessLine>[0]["status"], over = false) =>
      freshnessLine({ status, fault: null, sinceUpdateMs: 12_400, over });
    expect(line("open")).toEqual({ state: "live", text: "Live · updated 12 s ago" });
    expect(line("open", true)).toEqual({ state: "over", text: "Match over · updated 12 s ago" });
    expect(line("reconnecting")).toEqual({ state: "reconnecting", text: "Reconnecting… · updated 12 s ago" });
    expect(freshnessLine({ status: "connecting", fault: null, sinceUpdateMs: null, over: false }).text).toBe(
      "Connecting…",
    );
    expect(
      freshnessLine({ status: "reconnecting", fault: "refused", sinceUpdateMs: null, over: false }),
    ).toEqual({
      state: "error",
      text: MESSAGES.refused,
    });
    expect(MESSAGES.refused).toMatch(/ALLOWED_ORIGINS/);
    expect(faultForClose(4004)).toBe("notFound");
    expect(faultForClose(4001)).toBe("private");
    expect(faultForClose(1000)).toBe("closed");
  });
});
