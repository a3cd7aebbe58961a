import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { ProviderEvent } from "../../scoring/index.ts";
import { replay } from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/** A delivery that passes the schema but that the engine cannot apply: it names an innings that has not started. */
function poisoned(event: ProviderEvent): ProviderEvent {
  if (event.type !== "delivery") throw new Error("expected a delivery");
  return { ...event, payload: { ...event.payload, innings: 3 } };
}

const ledgerStub = (matchId: string) => env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));

async function deadLetters(matchId: string): Promise<{ seq: number; status: string }[]> {
  const res = await worker(`/v1/admin/matches/${matchId}/dead-letters`, { headers: ADMIN });
  return ((await res.json()) as { deadLetters: { seq: number; status: string }[] }).deadLetters;
}

describe("dead letters", () => {
  const matchId = "poison";
  const events = fixtureEvents("1175359", matchId).slice(0, 30);
  const poisonSeq = 10;
  const sent = events.map((e) => (e.seq === poisonSeq ? poisoned(e) : e));

  it("parks a poison event after one retry and applies the events behind it", async () => {
    const reply = await ingestEvents(sent);
    // The reply says what happened: the poison event was parked, not applied.
    expect(reply.results.filter((r) => r.seq !== poisonSeq).every((r) => r.status === "accepted")).toBe(true);
    expect(reply.results.find((r) => r.seq === poisonSeq)).toMatchObject({
      status: "dead-lettered",
      reason: "engine error",
      message: expect.stringMatching(/innings/i),
    });
    expect(reply.counts).toEqual({ accepted: 29, "dead-lettered": 1 });
    const got = await matchState(matchId);
    expect(got.seq).toBe(30);
    // The match moved on without seq 10: the same as replaying every other event.
    expect(got.state).toMatchObject({ seq: 30 });
    const withoutPoison = replay(events.filter((e) => e.seq !== poisonSeq));
    expect(got.state).toEqual(JSON.parse(JSON.stringify(withoutPoison)));

    const res = await worker(`/v1/admin/matches/${matchId}/dead-letters`, { headers: ADMIN });
    const body = (await res.json()) as {
      deadLetters: { seq: number; attempts: number; error: string; status: string }[];
    };
    expect(body.deadLetters).toHaveLength(1);
    expect(body.deadLetters[0]).toMatchObject({
      seq: poisonSeq,
      attempts: 2,
      status: "dead",
      reason: "engine error",
    });
    expect(body.deadLetters[0]?.error).toMatch(/innings/i);
  });

  it("keeps a dead letter dead when a replay still fails, and can discard it", async () => {
    const replayed = await worker(`/v1/admin/matches/${matchId}/dead-letters/${poisonSeq}/replay`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(replayed.status).toBe(409);
    expect(((await replayed.json()) as { applied: boolean }).applied).toBe(false);

    const discarded = await worker(`/v1/admin/matches/${matchId}/dead-letters/${poisonSeq}/discard`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(discarded.status).toBe(200);
    const list = (await (
      await worker(`/v1/admin/matches/${matchId}/dead-letters`, { headers: ADMIN })
    ).json()) as { deadLetters: { status: string }[] };
    expect(list.deadLetters[0]?.status).toBe("discarded");
    expect(
      (
        await worker(`/v1/admin/matches/${matchId}/dead-letters/999/discard`, {
          method: "POST",
          headers: ADMIN,
        })
      ).status,
    ).toBe(404);
  });

  it("gives parked events another chance when the event they lacked arrives late", async () => {
    const id = "poison-revived";
    const all = fixtureEvents("1216517", id).slice(0, 12);
    // Seq 1 (match.start) withheld past the gap timeout: everything after it fails and is parked.
    await ingestEvents(all.slice(1));
    await new Promise((r) => setTimeout(r, 350));
    await runDurableObjectAlarm(ledgerStub(id));
    const parked = await deadLetters(id);
    expect(parked.map((d) => d.seq)).toEqual(all.slice(1).map((e) => e.seq));

    const late = await ingestEvents(all.slice(0, 1));
    expect(late.results[0]).toMatchObject({ status: "accepted", late: true });
    expect(await deadLetters(id)).toEqual([]);
    expect((await matchState(id)).state).toEqual(JSON.parse(JSON.stringify(replay(all))));
  });

  it("applies a dead letter in its place when a replay succeeds after a fix", async () => {
    const id = "poison-fixed";
    const all = fixtureEvents("1216517", id).slice(0, 12);
    await ingestEvents(all);
    // Simulate an engine bug that once refused seq 5 (since fixed): the one fault this test
    // cannot cause through the API, so it writes the dead letter the way the ledger would.
    const stub = ledgerStub(id);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "INSERT INTO dead_letters (seq, error, attempts, at, status) VALUES (5, 'old bug', 2, 0, 'dead')",
      );
    });
    // Every object of this test file restarts and reads its storage afresh, as after an eviction.
    await abortAllDurableObjects();
    expect((await matchState(id)).state).toEqual(
      JSON.parse(JSON.stringify(replay(all.filter((e) => e.seq !== 5)))),
    );

    const res = await worker(`/v1/admin/matches/${id}/dead-letters/5/replay`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(res.status).toBe(200);
    expect(await deadLetters(id)).toEqual([]);
    expect((await matchState(id)).state).toEqual(JSON.parse(JSON.stringify(replay(all))));
  });

  it("requires the admin token", async () => {
    expect((await worker(`/v1/admin/matches/${matchId}/dead-letters`)).status).toBe(401);
    expect((await worker("/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });
});
