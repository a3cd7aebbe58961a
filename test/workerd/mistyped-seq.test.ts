import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { type ProviderEvent, replay } from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, worker } from "./support/ingest.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());

const ledgerStub = (matchId: string) => env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));
const wire = (value: unknown) => JSON.parse(JSON.stringify(value));

/** GAP_TIMEOUT_MS is 300 in the test config: wait it out, then run the alarm if it has not run yet. */
async function pastGapTimeout(matchId: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 350));
  await runDurableObjectAlarm(ledgerStub(matchId));
}

async function deadLetters(matchId: string): Promise<{ seq: number; reason: string; status: string }[]> {
  const res = await worker(`/v1/admin/matches/${matchId}/dead-letters`, { headers: ADMIN });
  return ((await res.json()) as { deadLetters: { seq: number; reason: string; status: string }[] })
    .deadLetters;
}

/** Issue 12, finding 4: a provider sent 9005 instead of 5. */
describe("one mistyped seq no longer spoils the rest of the match", () => {
  it("events 1-4, then 9005, a wait past the gap timeout, then 5-10: an in-order replay, one epoch, 9005 dead-lettered", async () => {
    const matchId = "mistyped-9005";
    const events = fixtureEvents("1216517", matchId).slice(0, 10);
    const fifth = events[4] as ProviderEvent;
    const mistyped: ProviderEvent = { ...fifth, seq: 9005 };

    await ingestEvents(events.slice(0, 4));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(4);

    const early = await ingestEvents([mistyped]);
    expect(early.results[0]).toMatchObject({ seq: 9005, status: "buffered" });
    await pastGapTimeout(matchId);

    // The ledger did not jump to 9005: it still waits for 5, and 9005 is out of the log.
    const lag = (await (await worker(`/v1/admin/matches/${matchId}/lag`, { headers: ADMIN })).json()) as {
      appliedSeq: number;
      receivedSeq: number;
      buffered: number;
      tooFarAhead: number;
      holes: unknown[];
    };
    expect(lag).toMatchObject({ appliedSeq: 4, receivedSeq: 4, buffered: 0, tooFarAhead: 1, holes: [] });

    // The real 5-10, one request each as a live provider sends them: each applied in order, none late.
    for (const event of events.slice(4)) {
      const reply = await ingestEvents([event]);
      expect(reply.results[0], `seq ${event.seq}`).toEqual({
        index: 0,
        matchId,
        seq: event.seq,
        status: "accepted",
      });
    }

    const expected = wire(replay(events));
    const final = await matchState(matchId);
    expect(final.seq).toBe(10);
    expect(final.state).toEqual(expected);

    await viewer.waitForSeq(10);
    expect(viewer.errors).toEqual([]);
    expect(viewer.state).toEqual(expected);
    // Exactly one epoch: the first snapshot, then a patch per ball; no reset, no second snapshot.
    const snapshots = viewer.frames.filter((f) => f.type === "snapshot");
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.type === "snapshot" && snapshots[0].epoch).toBe(final.epoch);
    expect(viewer.appliedEvery([4, 5, 6, 7, 8, 9, 10]), JSON.stringify(viewer.versions())).toBe(true);

    const parked = await deadLetters(matchId);
    expect(parked).toEqual([
      expect.objectContaining({ seq: 9005, type: "delivery", reason: "too far ahead", status: "dead" }),
    ]);
  });

  it("a retry of the parked event is answered dead-lettered and changes nothing", async () => {
    const matchId = "mistyped-9005";
    const fifth = fixtureEvents("1216517", matchId)[4] as ProviderEvent;
    const before = await matchState(matchId);

    const again = await ingestEvents([{ ...fifth, seq: 9005 }]);
    expect(again.results[0]).toMatchObject({
      seq: 9005,
      status: "dead-lettered",
      reason: "too far ahead",
      message: expect.stringMatching(/LEDGER_MAX_SKIP/),
    });
    expect(again.counts).toEqual({ "dead-lettered": 1 });
    expect(await matchState(matchId)).toEqual(before);
    expect(await deadLetters(matchId)).toHaveLength(1);
  });

  it("the parked event can be discarded through the existing dead-letter route", async () => {
    const matchId = "mistyped-9005";
    const res = await worker(`/v1/admin/matches/${matchId}/dead-letters/9005/discard`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(res.status).toBe(200);
    expect(await deadLetters(matchId)).toEqual([
      expect.objectContaining({ seq: 9005, reason: "too far ahead", status: "discarded" }),
    ]);
  });
});

describe("what happens to events parked beyond a hole", () => {
  const matchId = "parked-beyond";
  const events = fixtureEvents("1216517", matchId).slice(0, 160);
  const at = (seq: number) => events[seq - 1] as ProviderEvent;

  it("parks every event waiting beyond a hole larger than LEDGER_MAX_SKIP (100 by default)", async () => {
    await ingestEvents(events.slice(0, 4));
    // 120-125 arrive early (a hole of 115), and a mistyped 150 (a copy of seq 6).
    const early = await ingestEvents([...events.slice(119, 125), { ...at(6), seq: 150 }]);
    expect(early.results.every((r) => r.status === "buffered")).toBe(true);
    await pastGapTimeout(matchId);
    expect((await matchState(matchId)).seq).toBe(4);
    expect((await deadLetters(matchId)).map((d) => [d.seq, d.reason])).toEqual([
      [120, "too far ahead"],
      [121, "too far ahead"],
      [122, "too far ahead"],
      [123, "too far ahead"],
      [124, "too far ahead"],
      [125, "too far ahead"],
      [150, "too far ahead"],
    ]);
  });

  it("the same event sent again once within reach takes its place; the real event for a parked seq replaces the mistyped one", async () => {
    await ingestEvents(events.slice(4, 119));
    expect((await matchState(matchId)).seq).toBe(119);
    // 120-125 again, identical: now within reach, so they are applied.
    const again = await ingestEvents(events.slice(119, 125));
    expect(again.results.map((r) => r.status)).toEqual(Array(6).fill("accepted"));
    expect((await deadLetters(matchId)).map((d) => d.seq)).toEqual([150]);

    // The real 150 has different content from the mistyped one: it takes the seq; the mistyped
    // body is kept as a conflict for the operator.
    const rest = await ingestEvents(events.slice(125, 160));
    expect(rest.results.every((r) => r.status === "accepted")).toBe(true);
    const final = await matchState(matchId);
    expect(final.seq).toBe(160);
    expect(final.state).toEqual(wire(replay(events)));
    expect(await deadLetters(matchId)).toEqual([]);
    const lag = (await (await worker(`/v1/admin/matches/${matchId}/lag`, { headers: ADMIN })).json()) as {
      conflicts: number;
    };
    expect(lag.conflicts).toBe(1);
  });
});
