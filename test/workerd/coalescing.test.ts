import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { roomName } from "../../edge/fanout-tree.ts";
import { ledgerStub } from "../../rpc/ledger.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
afterAll(() => settleObjects(), 30_000);

/**
 * Versions that reach a room faster than it sends them go out as one patch spanning the run
 * (docs/protocol.md, "Coalesced patches"): `prev` is the first one's, `seq` the last one's, and
 * a viewer ends in exactly the state it would have reached one version at a time. Fossil
 * viewers still get every delta (deltas do not compose).
 */
describe("a room that is behind", () => {
  it("sends a run of versions it pulled as one JSON Patch, and each fossil delta, ending at the ledger's state", async () => {
    const matchId = "coalesce-pull";
    const events = fixtureEvents("1175359", matchId).slice(0, 20);
    await ingestEvents(events.slice(0, 5));
    const patches = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const deltas = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur&format=fossil`);
    await Promise.all([patches.waitForSeq(5), deltas.waitForSeq(5)]);

    // The ledger forgets the region: the next versions reach no room until the hub's presence
    // report (held back until all 15 are in) finds it behind and pulls them all at once.
    const hub = env.MATCH_ROOM.get(env.MATCH_ROOM.idFromName(roomName(matchId, "weur", 0)));
    await runInDurableObject(hub, (_room, state) => state.storage.setAlarm(Date.now() + 60_000));
    const forgot = await worker(`/v1/admin/matches/${matchId}/edge/forget`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(forgot.status).toBe(200);
    for (const event of events.slice(5, 20)) await ingestEvents([event]);
    await runInDurableObject(hub, (_room, state) => state.storage.setAlarm(Date.now() + 100));
    await Promise.all([patches.waitForSeq(20), deltas.waitForSeq(20)]);

    const final = (await matchState(matchId)).state;
    const after5 = (type: string) => (v: TestViewer) =>
      v.frames.filter((f) => f.type === type && "seq" in f && f.seq > 5);
    const coalesced = after5("patch")(patches);
    expect(coalesced).toHaveLength(1);
    expect(coalesced[0]).toMatchObject({ prev: 5, seq: 20 });
    expect(after5("delta")(deltas)).toHaveLength(15);
    for (const viewer of [patches, deltas]) {
      expect(viewer.errors).toEqual([]);
      expect(viewer.state).toEqual(final);
    }
  });

  it("takes publications that arrive while it is busy together", async () => {
    const matchId = "coalesce-arrivals";
    const events = fixtureEvents("1175359", matchId).slice(0, 12);
    await ingestEvents(events.slice(0, 2));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(2);
    const hub = env.MATCH_ROOM.get(env.MATCH_ROOM.idFromName(roomName(matchId, "weur", 0)));
    // No presence tick (and so no pull) until the versions are handed over below.
    await runInDurableObject(hub, (_room, state) => state.storage.setAlarm(Date.now() + 60_000));
    const forgot = await worker(`/v1/admin/matches/${matchId}/edge/forget`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(forgot.status).toBe(200);
    await ingestEvents(events.slice(2, 12));
    // The versions 3..12 as the ledger published them, handed to the hub back to back.
    const ledger = ledgerStub(env, matchId);
    const answer = await ledger.resume(matchId, viewer.epoch ?? "", 2);
    if (answer?.kind !== "patches") throw new Error("expected the ledger's patches");
    await runInDurableObject(hub, async (room, state) => {
      await Promise.all(
        answer.patches.map((p) => room.publish({ kind: "patch", matchId, epoch: answer.epoch, ...p })),
      );
      await state.storage.setAlarm(Date.now() + 100);
    });
    await viewer.waitForSeq(12);
    const sent = viewer.frames.filter((f) => f.type === "patch" && f.seq > 2);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ prev: 2, seq: 12 });
    expect(viewer.errors).toEqual([]);
    expect(viewer.state).toEqual((await matchState(matchId)).state);
  });
});
