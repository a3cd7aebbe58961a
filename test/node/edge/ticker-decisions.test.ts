/** The ticker's pure decisions: coalescing, what a headline says and when it shows, arrivals and resumes. */
import { describe, expect, it } from "vitest";
import { behindUpstream } from "../../../edge/room-stream.ts";
import { planFlush, sendableAt } from "../../../edge/ticker-coalesce.ts";
import { headlineOf, onTicker, sameHeadline } from "../../../edge/ticker-headline.ts";
import {
  applyEntries,
  classifyTickerArrival,
  entriesSince,
  planTickerBatch,
  planTickerSync,
  viewerAhead,
} from "../../../edge/ticker-stream.ts";
import type { MatchSummary } from "../../../protocol/admin-types.ts";
import type { Headline, TickerEntry } from "../../../protocol/ticker.ts";

const summary = (over: Partial<MatchSummary> = {}): MatchSummary => ({
  matchId: "m1",
  seq: 200,
  status: "live",
  teams: ["Kings XI Punjab", "Rajasthan Royals"],
  title: "IPL 2019",
  innings: [
    { team: "Kings XI Punjab", runs: 184, wickets: 4, overs: "20.0" },
    { team: "Rajasthan Royals", runs: 120, wickets: 3, overs: "15.2" },
  ],
  result: null,
  lastEventTs: "2019-04-16T16:00:00.000Z",
  viewers: 12,
  chase: { target: 185, runsNeeded: 65, ballsRemaining: 28 },
  ...over,
});

const h = (matchId: string, runs = 1): Headline =>
  headlineOf(summary({ matchId, innings: [{ team: "A", runs, wickets: 0, overs: "1.0" }] }));
const entry = (seq: number, matchId = "m1"): TickerEntry => ({
  kind: "headline",
  seq,
  prev: seq - 1,
  headline: h(matchId, seq),
});

describe("coalescing", () => {
  it("sends a change at once when the interval has passed, else at its end", () => {
    const plan = planFlush(
      [
        { matchId: "never-sent", sentAt: null, pending: true },
        { matchId: "long-ago", sentAt: 0, pending: true },
        { matchId: "just-sent", sentAt: 9_700, pending: true },
        { matchId: "quiet", sentAt: 9_900, pending: false },
      ],
      10_000,
      1000,
    );
    expect(plan.due).toEqual(["never-sent", "long-ago"]);
    // The held change goes out exactly one interval after the last one, not later.
    expect(plan.nextAt).toBe(10_700);
    expect(sendableAt(9_700, 1000)).toBe(10_700);
  });

  it("waits for nothing when nothing is pending", () => {
    expect(planFlush([{ matchId: "m", sentAt: 5, pending: false }], 10, 1000)).toEqual({
      due: [],
      nextAt: null,
    });
  });
});

describe("headlines", () => {
  it("carries the score lines, the target and what is required while chasing", () => {
    expect(headlineOf(summary())).toEqual({
      matchId: "m1",
      title: "IPL 2019",
      teams: ["Kings XI Punjab", "Rajasthan Royals"],
      status: "live",
      innings: summary().innings,
      target: 185,
      required: { runs: 65, balls: 28 },
      result: null,
      viewers: 12,
      lastEventTs: "2019-04-16T16:00:00.000Z",
    });
  });

  it("keeps the target but requires nothing once the match is over; no target, no chase", () => {
    const done = headlineOf(summary({ status: "finished", result: "Kings XI Punjab won by 14 runs" }));
    expect(done).toMatchObject({ target: 185, required: null, result: "Kings XI Punjab won by 14 runs" });
    expect(headlineOf(summary({ chase: null }))).toMatchObject({ target: null, required: null });
    // A summary from before the chase was recorded reads as no chase.
    const { chase: _chase, ...older } = summary();
    expect(headlineOf(older)).toMatchObject({ target: null, required: null });
  });

  it("lists unfinished matches always, finished ones for the configured time", () => {
    expect(onTicker("live", null, 0, 1000)).toBe(true);
    expect(onTicker("scheduled", null, 0, 1000)).toBe(true);
    expect(onTicker("finished", 5000, 5999, 1000)).toBe(true);
    expect(onTicker("finished", 5000, 6000, 1000)).toBe(false);
    expect(onTicker("finished", null, 0, 1000)).toBe(false);
  });

  it("tells an unchanged headline from a changed one", () => {
    expect(sameHeadline(headlineOf(summary()), headlineOf(summary()))).toBe(true);
    expect(sameHeadline(headlineOf(summary()), headlineOf(summary({ viewers: 13 })))).toBe(false);
    expect(sameHeadline(null, headlineOf(summary()))).toBe(false);
  });
});

describe("a ticker room's stream", () => {
  it("takes changes that continue its head, drops what it holds, pulls on a hole or another epoch", () => {
    const head = { epoch: "e1", seq: 5 };
    expect(
      classifyTickerArrival(head, { kind: "changes", epoch: "e1", entries: [entry(6), entry(7)] }),
    ).toEqual({
      kind: "next",
      entries: [entry(6), entry(7)],
    });
    expect(
      classifyTickerArrival(head, { kind: "changes", epoch: "e1", entries: [entry(5), entry(6)] }),
    ).toEqual({
      kind: "next",
      entries: [entry(6)],
    });
    expect(
      classifyTickerArrival(head, { kind: "changes", epoch: "e1", entries: [entry(4), entry(5)] }),
    ).toEqual({
      kind: "duplicate",
    });
    expect(classifyTickerArrival(head, { kind: "changes", epoch: "e1", entries: [entry(7)] })).toEqual({
      kind: "hole",
    });
    expect(classifyTickerArrival(head, { kind: "changes", epoch: "e2", entries: [entry(6)] })).toEqual({
      kind: "hole",
    });
    expect(classifyTickerArrival(head, { kind: "full", epoch: "e2", seq: 1, headlines: [] })).toEqual({
      kind: "full",
    });
  });

  it("plans a batch step by step: each publication judged on the position the steps before it reach", () => {
    const head = { epoch: "e1", seq: 5 };
    const changes = (...entries: TickerEntry[]) => ({ kind: "changes" as const, epoch: "e1", entries });
    const full = { kind: "full" as const, epoch: "e2", seq: 1, headlines: [] };
    // Two batches that continue each other, with an overlap: one step each, the overlap dropped.
    expect(planTickerBatch(head, true, [changes(entry(6), entry(7)), changes(entry(7), entry(8))])).toEqual([
      { kind: "next", epoch: "e1", entries: [entry(6), entry(7)] },
      { kind: "next", epoch: "e1", entries: [entry(8)] },
    ]);
    // A new history, then changes on top of it; a hole ends the plan with a pull.
    const onFull = { kind: "changes" as const, epoch: "e2", entries: [entry(2)] };
    expect(planTickerBatch(head, true, [full, onFull, changes(entry(6))])).toEqual([
      { kind: "full", full },
      { kind: "next", epoch: "e2", entries: [entry(2)] },
      { kind: "pull" },
    ]);
    // The list the room holds already is no step; a room without headlines pulls first.
    expect(planTickerBatch({ epoch: "e2", seq: 1 }, true, [full])).toEqual([]);
    expect(planTickerBatch(head, false, [changes(entry(6))])).toEqual([{ kind: "pull" }]);
  });

  it("replays a resume from the ring when it reaches back, else sends every headline", () => {
    const ring = [entry(3), entry(4), entry(5)];
    const head = { epoch: "e1", seq: 5 };
    const ringSince = (since: number) => entriesSince(since, head.seq, ring);
    expect(planTickerSync(head, 3, "e1", ringSince)).toEqual({
      kind: "replay",
      entries: [entry(4), entry(5)],
    });
    expect(planTickerSync(head, 5, "e1", ringSince)).toEqual({ kind: "replay", entries: [] });
    expect(planTickerSync(head, 1, "e1", ringSince)).toEqual({ kind: "full" }); // beyond the ring
    expect(planTickerSync(head, 6, "e1", ringSince)).toEqual({ kind: "full" }); // ahead of the room
    expect(planTickerSync(head, 3, "e0", ringSince)).toEqual({ kind: "full" }); // another history
    expect(planTickerSync(head, undefined, undefined, ringSince)).toEqual({ kind: "full" });
    expect(entriesSince(2, 5, [entry(3), entry(5)])).toBeNull(); // a missing link
  });

  it("applies changes to a list: replaced, added, removed", () => {
    const list = applyEntries(
      [h("a"), h("b")],
      [entry(2, "b"), { kind: "unlisted", seq: 3, prev: 2, matchId: "a" }, entry(4, "c")],
    );
    expect(list.map((x) => x.matchId)).toEqual(["b", "c"]);
    expect(list[0]?.innings[0]?.runs).toBe(2);
  });

  it("pulls when its parent holds a newer position or another history, not before the parent has one (the match rooms' rule)", () => {
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: "e1", seq: 6 })).toBe(true);
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: "e2", seq: 1 })).toBe(true);
    expect(behindUpstream({ epoch: null, seq: 0 }, { epoch: "e1", seq: 0 })).toBe(true);
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: "e1", seq: 5 })).toBe(false);
    expect(behindUpstream({ epoch: "e1", seq: 5 }, { epoch: null, seq: 0 })).toBe(false);
  });

  it("catches up before answering a viewer that resumes from further on than the room is", () => {
    const head = { epoch: "e1", seq: 5 };
    expect(viewerAhead(head, 7, "e1")).toBe(true);
    expect(viewerAhead(head, 5, "e1")).toBe(false);
    expect(viewerAhead(head, 7, "e0")).toBe(false); // another history: every headline anyway
    expect(viewerAhead(head, undefined, undefined)).toBe(false);
  });
});
