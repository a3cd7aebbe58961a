import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

describe("live feed over WebSocket", () => {
  it("sends a snapshot, then one patch per version, ending equal to the ledger's state", async () => {
    const matchId = "live-basic";
    const events = fixtureEvents("1175359", matchId).slice(0, 40);
    await ingestEvents(events.slice(0, 10));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(10);
    expect(viewer.frames[0]).toMatchObject({ type: "snapshot", seq: 10 });

    for (let i = 10; i < 40; i += 5) await ingestEvents(events.slice(i, i + 5));
    await viewer.waitForSeq(40);
    expect(viewer.errors).toEqual([]);
    expect(viewer.appliedEvery([10, 15, 20, 25, 30, 35, 40]), JSON.stringify(viewer.versions())).toBe(true);
    expect(viewer.state).toEqual((await matchState(matchId)).state);
    viewer.close();
  });

  it("sends fossil deltas instead of patches to a viewer that asks, with the same result", async () => {
    const matchId = "live-fossil";
    const events = fixtureEvents("1384429", matchId).slice(0, 60);
    await ingestEvents(events.slice(0, 10));
    const patches = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const deltas = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur&format=fossil`);
    await Promise.all([patches.waitForSeq(10), deltas.waitForSeq(10)]);
    for (let i = 10; i < 60; i += 10) await ingestEvents(events.slice(i, i + 10));
    await Promise.all([patches.waitForSeq(60), deltas.waitForSeq(60)]);
    expect(deltas.errors).toEqual([]);
    expect(deltas.frames.filter((f) => f.type === "delta")).toHaveLength(5);
    expect(deltas.frames.some((f) => f.type === "patch")).toBe(false);
    expect(deltas.state).toEqual(patches.state);
    expect(deltas.state).toEqual((await matchState(matchId)).state);

    // A resume in fossil format replays deltas.
    const back = await TestViewer.connect(
      `/v1/matches/${matchId}/ws?region=weur&format=fossil&since=30&epoch=${deltas.epoch}`,
      {
        held: { state: (await matchState(matchId, 30)).state, seq: 30, epoch: deltas.epoch },
      },
    );
    await back.waitForSeq(60);
    expect(back.frames.filter((f) => f.type === "delta").every((f) => f.type === "delta" && f.resumed)).toBe(
      true,
    );
    expect(back.state).toEqual(deltas.state);
  });

  it("refuses an unknown format with 400", async () => {
    const res = await worker("/v1/matches/live-x/ws?region=weur&format=xml", {
      headers: { upgrade: "websocket" },
    });
    expect(res.status).toBe(400);
  });
});
