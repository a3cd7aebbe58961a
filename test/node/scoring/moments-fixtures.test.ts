/**
 * Issue 14's acceptance check for moments, on all 43 real fixtures: the moments the engine
 * finds in a match (`momentsOf` of the final state, and what a live feed of the same events
 * announces, event by event) equal an independent reading of the raw Cricsheet file
 * (`moments-oracle.ts`): every wicket, four, six, milestone and called over, in order.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readCricsheetFile } from "../../../cricsheet/read-file.ts";
import {
  apply,
  emptyState,
  type MatchState,
  type Moment,
  type MomentBody,
  type MomentFact,
  MomentTracker,
  momentsOf,
  type ProviderEvent,
} from "../../../scoring/index.ts";
import { allFixturePaths } from "./laws-oracle.ts";
import { rawMoments } from "./moments-oracle.ts";

/** The engine's moment as the oracle writes it down; null for kinds the oracle does not read. */
function line(m: MomentBody | Moment): string | null {
  switch (m.kind) {
    case "wicket":
      return `wicket ${m.innings} ${m.batter} ${m.dismissal} ${m.bowler ?? "-"} at ${m.score.runs}/${m.score.wickets}`;
    case "four":
    case "six":
      return `${m.kind} ${m.innings} ${m.batter} off ${m.bowler}`;
    case "batter-milestone":
      return `batter ${m.innings} ${m.batter} ${m.runs} off ${m.balls}`;
    case "bowler-milestone":
      return `bowler ${m.innings} ${m.bowler} ${m.wickets}`;
    case "partnership-milestone":
      return `stand ${m.innings} ${[...m.batters].sort().join("&")} ${m.runs}`;
    case "team-milestone":
      return `team ${m.innings} ${m.runs} for ${m.wickets}`;
    case "over":
      return `over ${m.innings} ${m.over}: ${m.runs} runs ${m.wickets} wkts, ${m.score.runs}/${m.score.wickets}`;
    default:
      return null;
  }
}

const lines = (ms: readonly (MomentBody | Moment)[]) => ms.flatMap((m) => line(m) ?? []);
const paths = allFixturePaths();

it("reads all 43 fixtures: the first 27 and the 16 rare cases", () => {
  expect(paths).toHaveLength(43);
});

for (const path of paths) {
  const file = path.split("/").slice(-2).join("/");
  describe(file, () => {
    let events: ProviderEvent[];
    let state: MatchState;
    let facts: MomentFact[];
    let announced: Moment[];
    let oracle: string[];

    beforeAll(() => {
      events = readCricsheetFile(path);
      // As a live feed goes (and as momentsOfLog does): each event applied, its moments announced.
      const tracker = new MomentTracker();
      announced = [];
      let now: MatchState | undefined;
      for (const event of events) {
        const next = apply(now ?? emptyState(event.matchId), event);
        announced.push(...tracker.step(next, event));
        now = next;
      }
      state = now as MatchState;
      // The final state's moments by a walk from nothing (a copy shares no record with the walks above).
      facts = momentsOf(JSON.parse(JSON.stringify(state)));
      oracle = rawMoments(path);
    });

    it("momentsOf the final state: every wicket, boundary, milestone and over of the raw file, in order", () => {
      expect(oracle.length).toBeGreaterThan(0);
      expect(lines(facts.map((f) => f.body))).toEqual(oracle);
    });

    it("announced event by event, the same moments in the same order, none taken back", () => {
      expect(announced.filter((m) => m.kind === "retraction")).toEqual([]);
      expect(lines(announced)).toEqual(oracle);
      expect(new Set(announced.map((m) => m.id.split(":").slice(2).join(":")))).toEqual(
        new Set(facts.map((f) => f.key)),
      );
    });

    it("each moment carries the seq and ts of the event that made it, and a unique id", () => {
      const bySeq = new Map(events.map((e) => [e.seq, e]));
      // One comparison per match (not per moment): what each moment says against its event.
      const wrong = announced.flatMap((m) => {
        const event = bySeq.get(m.seq);
        const problems: string[] = [];
        if (event?.ts !== m.ts) problems.push("ts");
        if (!m.id.startsWith(`${m.matchId}:${m.seq}:${m.kind}:`)) problems.push("id");
        const d = event?.type === "delivery" ? event.payload : null;
        if (
          (m.kind === "four" || m.kind === "six" || m.kind === "batter-milestone") &&
          d?.batter !== m.batter
        )
          problems.push("batter");
        if (m.kind === "wicket" && !d?.wickets?.some((w) => w.playerOut === m.batter)) problems.push("out");
        if (m.kind === "result" && event?.type !== "match.end") problems.push("event");
        return problems.length > 0 ? [`${m.id}: ${problems.join(", ")}`] : [];
      });
      expect(wrong).toEqual([]);
      expect(new Set(announced.map((m) => m.id)).size).toBe(announced.length);
    });

    it("one innings-end per innings, with its final score; the result last", () => {
      const ends = announced.filter((m) => m.kind === "innings-end");
      expect(ends.map((m) => [m.innings, m.score])).toEqual(
        state.innings.map((inn) => [inn.number, { runs: inn.runs, wickets: inn.wickets }]),
      );
      expect(announced.at(-1)?.kind).toBe("result");
    });
  });
}
