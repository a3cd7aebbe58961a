import { afterEach, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());

// Test config: a reader that acknowledged but is more than 2 versions behind for 600 ms is
// conflated; silent for 2.5 s, it is closed with 4008. Presence ticks every 500 ms.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("slow readers", () => {
  it("conflates a reader that stays behind, keeps the others flowing, and catches it up with the newest state", async () => {
    const matchId = "slow-conflate";
    const events = fixtureEvents("1175359", matchId).slice(0, 80);
    await ingestEvents(events.slice(0, 5));
    const fast = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const slow = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await Promise.all([fast.waitForSeq(5), slow.waitForSeq(5)]);
    // The slow one acknowledges seq 5 once and then says nothing while the match moves on.
    slow.send(JSON.stringify({ type: "ping", seq: 5 }));
    for (let i = 5; i < 40; i += 5) await ingestEvents(events.slice(i, i + 5));
    await fast.waitForSeq(40);
    await sleep(1300); // past the slow threshold, plus a presence tick to notice it
    const framesWhenConflated = slow.frames.length;
    for (let i = 40; i < 60; i += 5) await ingestEvents(events.slice(i, i + 5));
    await fast.waitForSeq(60);
    await sleep(100);
    // Conflated: no patches (nor presence) went to the slow reader while it stayed silent.
    expect(slow.frames.slice(framesWhenConflated).filter((f) => f.type === "patch")).toEqual([]);
    expect(fast.errors).toEqual([]);
    expect(fast.versions().slice(-4)).toEqual([45, 50, 55, 60]);

    // It speaks again: one fresh snapshot of the newest state, not the backlog.
    slow.send(JSON.stringify({ type: "ping", seq: 40 }));
    await slow.waitForSeq(60);
    expect(
      slow.frames.at(-1)?.type === "snapshot" ||
        slow.frames.some((f, i) => i >= framesWhenConflated && f.type === "snapshot"),
    ).toBe(true);
    expect(slow.state).toEqual((await matchState(matchId)).state);
  });

  it("closes a conflated reader that stays silent with 4008 and a retry hint", async () => {
    const matchId = "slow-close";
    const events = fixtureEvents("1175359", matchId).slice(0, 30);
    await ingestEvents(events.slice(0, 5));
    const slow = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await slow.waitForSeq(5);
    slow.send(JSON.stringify({ type: "ping", seq: 5 }));
    for (let i = 5; i < 30; i += 5) await ingestEvents(events.slice(i, i + 5));
    await slow.waitFor(() => slow.closed !== null, "close for being too slow", 8000);
    expect(slow.closed?.code).toBe(CLOSE_CODES.tooSlow);
    expect(slow.frames.some((f) => f.type === "retry")).toBe(true);
  });

  it("never conflates a reader that does not acknowledge (it cannot be judged)", async () => {
    const matchId = "slow-never-acks";
    const events = fixtureEvents("1175359", matchId).slice(0, 30);
    await ingestEvents(events.slice(0, 5));
    const quiet = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await quiet.waitForSeq(5);
    for (let i = 5; i < 15; i += 5) await ingestEvents(events.slice(i, i + 5));
    await sleep(1300);
    for (let i = 15; i < 30; i += 5) await ingestEvents(events.slice(i, i + 5));
    await quiet.waitForSeq(30);
    expect(quiet.errors).toEqual([]);
    expect(quiet.closed).toBeNull();
  });
});
