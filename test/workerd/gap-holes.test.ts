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

const metricsText = async () => (await worker("/metrics", { headers: ADMIN })).text();

const post = (path: string) => worker(path, { method: "POST", headers: ADMIN });

describe("a skipped gap is never OK until filled or acknowledged", () => {
  const matchId = "holes-acknowledged";
  const events = fixtureEvents("1298179", matchId).slice(0, 20);

  it("shows the hole and its seqs in the lag report and /metrics after the gap timeout skips it", async () => {
    // Seqs 6 and 7 never come: a hole of 2, within LEDGER_MAX_SKIP, so the timeout moves past it.
    await ingestEvents(events.filter((e) => e.seq !== 6 && e.seq !== 7));
    await pastGapTimeout(matchId);
    const lag = await lagOf(matchId);
    expect(lag).toMatchObject({
      appliedSeq: 20,
      buffered: 0,
      unacknowledgedMissing: 2,
      status: "INCOMPLETE",
    });
    // The consumer itself caught up: only the hole keeps the ledger from OK.
    expect(lag.consumer.status).toBe("OK");
    expect(lag.reason).toMatch(/2 skipped seqs still missing \(6\.\.7\)/);
    expect(lag.holes).toEqual([
      expect.objectContaining({ fromSeq: 6, toSeq: 7, missing: 2, missingSeqs: [6, 7] }),
    ]);

    const text = await metricsText();
    expect(text).toContain(`crease_ledger_unacknowledged_missing_seqs{match="${matchId}"} 2`);
    expect(text).toContain(`crease_ledger_open_holes{match="${matchId}"} 1`);
    expect(text).toContain(`crease_ledger_hole_missing_seqs{match="${matchId}",from_seq="6",to_seq="7"} 2`);
    expect(text).toContain(`crease_ledger_status{match="${matchId}",status="INCOMPLETE"} 1`);
    expect(text).toContain(`crease_ledger_status{match="${matchId}",status="OK"} 0`);
  });

  it("a late arrival shrinks the hole; an acknowledgement closes it (and a late event is still put in place)", async () => {
    await ingestEvents(events.filter((e) => e.seq === 6));
    expect((await lagOf(matchId)).holes).toEqual([expect.objectContaining({ missing: 1, missingSeqs: [7] })]);

    const ack = await post(`/v1/admin/matches/${matchId}/gaps/6/acknowledge`);
    expect(ack.status).toBe(200);
    const body = (await ack.json()) as {
      acknowledged: boolean;
      gap: { fromSeq: number; acknowledgedAt: number };
    };
    expect(body).toMatchObject({ acknowledged: true, gap: { fromSeq: 6, toSeq: 7, missing: 1 } });
    expect(body.gap.acknowledgedAt).toBeGreaterThan(0);

    const lag = await lagOf(matchId);
    expect(lag).toMatchObject({ status: "OK", holes: [], unacknowledgedMissing: 0 });
    expect(lag.gaps).toEqual([
      expect.objectContaining({ fromSeq: 6, missing: 1, acknowledgedAt: body.gap.acknowledgedAt }),
    ]);
    const text = await metricsText();
    expect(text).toContain(`crease_ledger_unacknowledged_missing_seqs{match="${matchId}"} 0`);
    expect(text).toContain(`crease_ledger_status{match="${matchId}",status="OK"} 1`);

    // Acknowledging again keeps the first time; a late 7 is still put in place.
    const again = (await (
      await post(`/v1/admin/matches/${matchId}/gaps/6/acknowledge`)
    ).json()) as typeof body;
    expect(again.gap.acknowledgedAt).toBe(body.gap.acknowledgedAt);
    const late = await ingestEvents(events.filter((e) => e.seq === 7));
    expect(late.results[0]).toMatchObject({ status: "accepted", late: true });
    expect((await matchState(matchId)).state).toEqual(wire(replay(events)));
  });

  it("names the problem for a gap that does not exist or a match that does not", async () => {
    expect(await errorOf(await post(`/v1/admin/matches/${matchId}/gaps/5/acknowledge`))).toEqual({
      status: 404,
      code: "no_gap",
      message: `match "${matchId}" has no skipped gap starting at seq 5 (gaps start at: 6)`,
    });
    expect(await errorOf(await post("/v1/admin/matches/no-such-match/gaps/5/acknowledge"))).toMatchObject({
      status: 404,
      code: "unknown_match",
    });
    expect(await errorOf(await post(`/v1/admin/matches/${matchId}/gaps/zero/acknowledge`))).toMatchObject({
      status: 400,
      code: "invalid_parameter",
    });
    expect((await worker(`/v1/admin/matches/${matchId}/gaps/6/acknowledge`, { method: "POST" })).status).toBe(
      401,
    );
  });

  it("a hole filled by late arrivals is no longer open, without an acknowledgement", async () => {
    const id = "holes-filled";
    const all = fixtureEvents("1298179", id).slice(0, 12);
    await ingestEvents(all.filter((e) => e.seq !== 4));
    await pastGapTimeout(id);
    expect((await lagOf(id)).status).toBe("INCOMPLETE");
    await ingestEvents(all.filter((e) => e.seq === 4));
    expect(await lagOf(id)).toMatchObject({ status: "OK", holes: [], unacknowledgedMissing: 0 });
  });
});

describe("discarding a buffered event", () => {
  const matchId = "buffered-discard";
  const events = fixtureEvents("1216517", matchId).slice(0, 10);
  const mistyped: ProviderEvent = { ...(events[4] as ProviderEvent), seq: 9005 };

  it("takes it out of the buffer before the gap timeout: kept as a discarded dead letter, its seq free", async () => {
    await ingestEvents(events.slice(0, 4));
    expect((await ingestEvents([mistyped])).results[0]?.status).toBe("buffered");
    expect((await lagOf(matchId)).buffered).toBe(1);

    const res = await post(`/v1/admin/matches/${matchId}/buffered/9005/discard`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      discarded: true,
      deadLetter: { seq: 9005, type: "delivery", reason: "discarded from the buffer", status: "discarded" },
    });
    expect(await lagOf(matchId)).toMatchObject({ buffered: 0, receivedSeq: 4, deadLetters: 0 });

    // The same mistyped event again stays out; the real ones go in as if it had never come.
    const again = await ingestEvents([mistyped]);
    expect(again.results[0]).toMatchObject({ status: "dead-lettered", reason: "discarded from the buffer" });
    const rest = await ingestEvents(events.slice(4));
    expect(rest.results.map((r) => r.status)).toEqual(Array(6).fill("accepted"));
    expect((await matchState(matchId)).state).toEqual(wire(replay(events)));
    expect((await lagOf(matchId)).status).toBe("OK");
  });

  it("names the problem for a seq that is applied, parked or not there", async () => {
    expect(await errorOf(await post(`/v1/admin/matches/${matchId}/buffered/3/discard`))).toEqual({
      status: 409,
      code: "not_buffered",
      message: `seq 3 of match "${matchId}" is already applied (through 10); send a correction event to change it`,
    });
    expect(await errorOf(await post(`/v1/admin/matches/${matchId}/buffered/9005/discard`))).toMatchObject({
      status: 409,
      code: "not_buffered",
      message: expect.stringMatching(
        /not buffered but a dead letter \("discarded from the buffer", discarded\)/,
      ),
    });
    expect(await errorOf(await post(`/v1/admin/matches/${matchId}/buffered/77/discard`))).toEqual({
      status: 404,
      code: "no_buffered_event",
      message: `match "${matchId}" has no buffered event at seq 77 (applied through 10; buffered: none)`,
    });
    expect(await errorOf(await post("/v1/admin/matches/no-such-match/buffered/7/discard"))).toMatchObject({
      status: 404,
      code: "unknown_match",
    });
    expect(
      (await worker(`/v1/admin/matches/${matchId}/buffered/9005/discard`, { method: "POST" })).status,
    ).toBe(401);
  });
});

/**
 * Issue 18, finding 1: a provider keeps sending new batches while an earlier one failed, and
 * retries the failed one later (an asynchronous retry queue). Every event it was told is
 * buffered must be applied once the hole is filled, however late, in order.
 */
describe("a hole is a wait, not a verdict: the retry-later provider", () => {
  const matchId = "retry-later";
  const events = fixtureEvents("1144530", matchId);
  const range = (from: number, to: number) => events.slice(from - 1, to);

  it("1..150, then 300..645, the gap timeout, then 151..299: every event applied, every viewer at 645, no dead letter", async () => {
    expect(events).toHaveLength(645);
    expect((await ingestEvents(range(1, 150))).counts).toEqual({ accepted: 150 });
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(150);

    const ahead = await ingestEvents(range(300, 645));
    expect(ahead.counts).toEqual({ buffered: 346 });

    // A hole of 149, larger than LEDGER_MAX_SKIP (100): the ledger waits, and says at what.
    await pastGapTimeout(matchId);
    const waiting = await lagOf(matchId);
    expect(waiting).toMatchObject({
      appliedSeq: 150,
      buffered: 346,
      deadLetters: 0,
      tooFarAhead: 0,
      waiting: { fromSeq: 151, toSeq: 299, missing: 149, buffered: 346 },
    });
    expect(waiting.status).not.toBe("OK");
    expect(await metricsText()).toContain(`crease_ledger_waiting_missing_seqs{match="${matchId}"} 149`);
    // A second timeout changes nothing: still waiting, nothing parked.
    await pastGapTimeout(matchId);
    expect(await lagOf(matchId)).toMatchObject({ appliedSeq: 150, buffered: 346, deadLetters: 0 });

    const filled = await ingestEvents(range(151, 299));
    expect(filled.counts).toEqual({ accepted: 149 });
    expect(filled.results.every((r) => !r.late)).toBe(true);

    const expected = replay(events);
    const final = await matchState(matchId);
    expect(final.seq).toBe(645);
    expect(final.state).toEqual(wire(expected));
    expect(wire(scorecard(final.state as typeof expected))).toEqual(wire(scorecard(expected)));
    await viewer.waitForSeq(645);
    expect(viewer.state).toEqual(wire(expected));
    expect(viewer.errors).toEqual([]);

    const lag = await lagOf(matchId);
    expect(lag).toMatchObject({ status: "OK", deadLetters: 0, buffered: 0, waiting: null, holes: [] });
    const dead = (await (
      await worker(`/v1/admin/matches/${matchId}/dead-letters`, { headers: ADMIN })
    ).json()) as { deadLetters: unknown[] };
    expect(dead.deadLetters).toEqual([]);
  });
});

describe("the buffer is bounded, and past it the provider is told to retry", () => {
  const matchId = "buffer-bound";
  const events = fixtureEvents("1216517", matchId).slice(0, 20);

  it("an event more than LEDGER_MAX_AHEAD ahead is answered retry (503), stores nothing, and is taken once in reach", async () => {
    await ingestEvents(events.slice(0, 5));
    const far = { ...(events[5] as ProviderEvent), seq: 5 + 10_001 };
    const res = await postIngest(JSON.stringify({ events: [far] }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = (await res.json()) as { results: { status: string; message: string }[] };
    expect(body.results[0]).toMatchObject({
      status: "retry",
      message: expect.stringMatching(/more than 10000 ahead.*applied through 5.*LEDGER_MAX_AHEAD.*retry/),
    });
    expect(await lagOf(matchId)).toMatchObject({ receivedSeq: 5, buffered: 0 });
  });
});
