import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

describe("an admin removes a match", () => {
  it("closes its viewers with 4004, empties its ledger, rooms, read model and listing, and a new event starts it afresh", async () => {
    const matchId = "remove-me";
    const events = fixtureEvents("1216517", matchId);
    await ingestEvents(events.slice(0, 10));
    const viewers = [
      await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`),
      await TestViewer.connect(`/v1/matches/${matchId}/ws?region=apac`),
    ];
    await Promise.all(viewers.map((v) => v.waitForSeq(10)));
    expect((await worker(`/v1/matches/${matchId}`)).status).toBe(200); // into the read model
    // Let the hubs register with the ledger.
    await new Promise((r) => setTimeout(r, 700));

    expect((await worker(`/v1/admin/matches/${matchId}`, { method: "DELETE" })).status).toBe(401);
    const res = await worker(`/v1/admin/matches/${matchId}`, { method: "DELETE", headers: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { removed: boolean; regions: string[]; roomsFailed: number };
    expect(body.removed).toBe(true);
    expect(body.regions.sort()).toEqual(["apac", "weur"]);
    expect(body.roomsFailed).toBe(0);

    for (const v of viewers) {
      await v.waitFor(() => v.closed !== null, "close");
      expect(v.closed?.code).toBe(CLOSE_CODES.unknownMatch);
    }
    for (const path of [`/v1/matches/${matchId}`, `/v1/matches/${matchId}/events`]) {
      expect((await worker(path)).status, path).toBe(404);
    }
    const list = (await (await worker("/v1/matches")).json()) as { matches: { matchId: string }[] };
    expect(list.matches.map((m) => m.matchId)).not.toContain(matchId);
    expect((await worker(`/v1/admin/matches/${matchId}`, { method: "DELETE", headers: ADMIN })).status).toBe(
      404,
    );

    // The id is free again: a signed event starts a new match from nothing.
    await ingestEvents(events.slice(0, 3));
    await new Promise((r) => setTimeout(r, 1100));
    const again = (await (
      await worker(`/v1/matches/${matchId}`, { headers: { "cache-control": "no-cache" } })
    ).json()) as {
      seq: number;
    };
    expect(again.seq).toBe(3);
  });
});
