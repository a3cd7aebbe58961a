import { afterEach, describe, expect, it } from "vitest";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());

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
    expect(viewer.versions()).toEqual([10, 15, 20, 25, 30, 35, 40]);
    expect(viewer.state).toEqual((await matchState(matchId)).state);
    viewer.close();
  });
});
