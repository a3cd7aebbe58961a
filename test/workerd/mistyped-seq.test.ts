import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ProviderEvent, replay, scorecard } from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, postIngest, worker } from "./support/ingest.ts";
import { errorOf, lagOf, pastGapTimeout } from "./support/ledger.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

const wire = (value: unknown) => JSON.parse(JSON.stringify(value));

const resolve = (matchId: string, seq: number, body: unknown) =>
  worker(`/v1/admin/matches/${matchId}/conflicts/${seq}/resolve`, {
    method: "POST",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** Issue 18, finding 2: ball 21 sent as seq 25, inside LEDGER_MAX_SKIP. */
describe("a typo is caught, not absorbed", () => {
  const matchId = "typo-25";
  const events = fixtureEvents("1216517", matchId).slice(0, 40);
  const at = (seq: number) => events[seq - 1] as ProviderEvent;
  const typo: ProviderEvent = { ...at(21), seq: 25 };

  it("the real seq 25 meets the buffered typo: a conflict on both, the match holds before 25, the lag says CONFLICT with both bodies", async () => {
    await ingestEvents(events.slice(0, 20));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(20);

    expect((await ingestEvents([typo])).results[0]).toMatchObject({ seq: 25, status: "buffered" });
    expect((await ingestEvents([at(22), at(23), at(24)])).counts).toEqual({ buffered: 3 });
    const res = await postIngest(JSON.stringify({ events: [at(25)] }));
    expect(res.status).toBe(409);
    const reply = (await res.json()) as { results: { status: string; message: string }[] };
    expect(reply.results[0]).toMatchObject({
      status: "conflict",
      message: expect.stringMatching(/already buffered with different content.*holds before seq 25.*resolve/),
    });

    const lag = await lagOf(matchId);
    expect(lag).toMatchObject({ status: "CONFLICT", conflicts: 1, appliedSeq: 20 });
    expect(lag.reason).toMatch(/\(25\)/);
    expect(lag.openConflicts).toEqual([
      expect.objectContaining({ seq: 25, held: true, stored: wire(typo), incoming: wire(at(25)) }),
    ]);

    // The gap timeout moves past the missing 21 (a hole of one), then stops before the conflict.
    await pastGapTimeout(matchId);
    expect((await matchState(matchId)).seq).toBe(24);
    await viewer.waitForSeq(24);
    // More balls arrive and wait behind the held seq; the lag still says CONFLICT.
    expect((await ingestEvents(events.slice(25, 30))).counts).toEqual({ buffered: 5 });
    await pastGapTimeout(matchId);
    expect(await lagOf(matchId)).toMatchObject({ status: "CONFLICT", appliedSeq: 24, buffered: 6 });
    const metrics = await (await worker("/metrics", { headers: ADMIN })).text();
    expect(metrics).toContain(`crease_ledger_open_conflicts{match="${matchId}"} 1`);
    expect(metrics).toContain(`crease_ledger_status{match="${matchId}",status="CONFLICT"} 1`);
  });

  it("the operator keeps the incoming event: the match goes on; the provider's late 21 and the rest make the scorecard exact", async () => {
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const res = await resolve(matchId, 25, { keep: "incoming" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ matchId, seq: 25, kept: "incoming", appliedSeq: 30 });

    // The provider finds its typo and sends ball 21 under its own seq: put back in place.
    const late = await ingestEvents([at(21)]);
    expect(late.results[0]).toMatchObject({ status: "accepted", late: true });
    expect((await ingestEvents(events.slice(30))).counts).toEqual({ accepted: 10 });

    const expected = replay(events);
    const final = await matchState(matchId);
    expect(final.seq).toBe(40);
    expect(final.state).toEqual(wire(expected));
    expect(wire(scorecard(final.state as typeof expected))).toEqual(wire(scorecard(expected)));
    await viewer.waitForSeq(40);
    expect(viewer.state).toEqual(wire(expected));
    expect(await lagOf(matchId)).toMatchObject({
      status: "OK",
      conflicts: 0,
      conflictsTotal: 1,
      openConflicts: [],
    });
  });

  it("names the problem: a seq with no conflict, a bad body, an unknown match", async () => {
    expect(await errorOf(await resolve(matchId, 25, { keep: "incoming" }))).toEqual({
      status: 404,
      code: "no_conflict",
      message: `match "${matchId}" has no open conflict at seq 25`,
    });
    expect(await errorOf(await resolve(matchId, 25, { keep: "both" }))).toMatchObject({
      status: 400,
      code: "invalid_body",
    });
    expect(await errorOf(await resolve("never-ingested", 3, { keep: "stored" }))).toMatchObject({
      status: 404,
      code: "unknown_match",
    });
    expect(
      (await worker(`/v1/admin/matches/${matchId}/conflicts/25/resolve`, { method: "POST", body: "{}" }))
        .status,
    ).toBe(401);
  });
});

describe("conflicts on applied seqs, keeping the stored side, and an honest correction", () => {
  const matchId = "typo-applied";
  const events = fixtureEvents("1216517", matchId).slice(0, 20);
  const at = (seq: number) => events[seq - 1] as ProviderEvent;

  it("a different body for an applied seq is a 409 and an open conflict (the match goes on), until an operator keeps the stored one", async () => {
    await ingestEvents(events.slice(0, 12));
    const altered = { ...at(5), ts: "2030-01-01T00:00:00.000Z" } as ProviderEvent;
    const res = await postIngest(JSON.stringify({ events: [altered] }));
    expect(res.status).toBe(409);
    // The same conflicting body again is the same conflict, not a second one.
    await postIngest(JSON.stringify({ events: [altered] }));
    expect(await lagOf(matchId)).toMatchObject({
      status: "CONFLICT",
      conflicts: 1,
      conflictsTotal: 1,
      openConflicts: [expect.objectContaining({ seq: 5, held: false })],
    });
    // Not held: the match goes on.
    expect((await ingestEvents(events.slice(12))).counts).toEqual({ accepted: 8 });

    expect((await resolve(matchId, 5, { keep: "stored" })).status).toBe(200);
    expect(await lagOf(matchId)).toMatchObject({ status: "OK", conflicts: 0 });
    expect((await matchState(matchId)).state).toEqual(wire(replay(events)));
  });
});

describe("a mistyped seq far ahead waits in the buffer instead of being parked", () => {
  const matchId = "mistyped-9005";
  const events = fixtureEvents("1216517", matchId).slice(0, 10);
  const mistyped: ProviderEvent = { ...(events[4] as ProviderEvent), seq: 9005 };

  it("events 1-4, then 9005, the gap timeout, then 5-10: applied in order, one epoch, 9005 still buffered for the operator", async () => {
    await ingestEvents(events.slice(0, 4));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(4);
    expect((await ingestEvents([mistyped])).results[0]).toMatchObject({ seq: 9005, status: "buffered" });
    await pastGapTimeout(matchId);
    expect(await lagOf(matchId)).toMatchObject({
      appliedSeq: 4,
      buffered: 1,
      deadLetters: 0,
      waiting: { fromSeq: 5, toSeq: 9004 },
    });

    for (const event of events.slice(4)) {
      expect((await ingestEvents([event])).results[0], `seq ${event.seq}`).toMatchObject({
        seq: event.seq,
        status: "accepted",
      });
    }
    const expected = wire(replay(events));
    const final = await matchState(matchId);
    expect(final).toMatchObject({ seq: 10, state: expected });
    await viewer.waitForSeq(10);
    expect(viewer.state).toEqual(expected);
    expect(viewer.frames.filter((f) => f.type === "snapshot")).toHaveLength(1);
    expect(viewer.appliedEvery([4, 5, 6, 7, 8, 9, 10]), JSON.stringify(viewer.versions())).toBe(true);

    // Once the gap timeout has had its say, the lag shows it waiting; the operator takes it out, and the lag is OK again.
    await pastGapTimeout(matchId);
    const waiting = await lagOf(matchId);
    expect(waiting).toMatchObject({ buffered: 1, waiting: { fromSeq: 11, toSeq: 9004 } });
    // Not OK: INCOMPLETE, or first the consumer's own verdict (9005 received, 10 applied: STALLED).
    expect(["INCOMPLETE", "STALLED", "WARNING"]).toContain(waiting.status);
    const discard = await worker(`/v1/admin/matches/${matchId}/buffered/9005/discard`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(discard.status).toBe(200);
    expect(await lagOf(matchId)).toMatchObject({ buffered: 0, waiting: null, status: "OK" });
  });
});
