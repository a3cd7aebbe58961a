import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { replay } from "../../scoring/index.ts";
import { FIXTURE_IDS, fixtureEvents, rng, shuffle } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

const ledgerStub = (matchId: string) => env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));

describe("every real match, sent shuffled in batches with duplicates, ends as an in-order replay", () => {
  it.each(FIXTURE_IDS)("match %s", async (id) => {
    const seed = Number(id);
    const random = rng(seed);
    const events = fixtureEvents(id, `shuffled-${id}`);
    // Every event once, plus 10% sent again, all in random order, cut into random-sized batches.
    const withDuplicates = [...events, ...events.filter(() => random() < 0.1)];
    const order = shuffle(withDuplicates, random);
    let sent = 0;
    while (sent < order.length) {
      const size = 1 + Math.floor(random() * 250);
      await ingestEvents(order.slice(sent, sent + size));
      sent += size;
    }
    const expected = replay(events);
    const got = await matchState(`shuffled-${id}`);
    expect(got.seq, `seed ${seed}`).toBe(events.length);
    expect(got.state).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

describe("ordering", () => {
  const events = fixtureEvents("1216517", "ordering-early");

  it("buffers early events and applies them once the gap fills", async () => {
    const first = await ingestEvents(events.slice(5, 10));
    expect(first.results.map((r) => r.status)).toEqual(Array(5).fill("buffered"));
    expect((await matchState("ordering-early").catch(() => null))?.seq ?? 0).toBe(0);

    const fill = await ingestEvents(events.slice(0, 5));
    expect(fill.results.map((r) => r.status)).toEqual(Array(5).fill("accepted"));
    const got = await matchState("ordering-early");
    expect(got.seq).toBe(10);
    expect(got.state).toEqual(JSON.parse(JSON.stringify(replay(events.slice(0, 10)))));
  });

  it("reports duplicates as no-ops and conflicts as refused", async () => {
    const again = await ingestEvents(events.slice(0, 3));
    expect(again.results.map((r) => r.status)).toEqual(["duplicate", "duplicate", "duplicate"]);
    const original = events[3];
    if (original?.type !== "delivery") throw new Error("fixture seq 4 should be a delivery");
    const altered = {
      ...original,
      matchId: "ordering-early",
      payload: { ...original.payload, batterRuns: 6 },
    };
    const reply = await ingestEvents([altered]);
    expect(reply.results[0]?.status).toBe("conflict");
    expect((await matchState("ordering-early")).state).toEqual(
      JSON.parse(JSON.stringify(replay(events.slice(0, 10)))),
    );
  });

  it("moves past a withheld event after the gap timeout, then corrects the state when it arrives late", async () => {
    const matchId = "ordering-gap";
    const all = fixtureEvents("1175359", matchId).slice(0, 40);
    const withheld = 20;
    await ingestEvents(all.filter((e) => e.seq !== withheld));
    expect((await matchState(matchId)).seq).toBe(withheld - 1);

    // GAP_TIMEOUT_MS is 300 ms in the test config: wait it out, then run the scheduled alarm now.
    await new Promise((r) => setTimeout(r, 350));
    await runDurableObjectAlarm(ledgerStub(matchId));
    const skipped = await matchState(matchId);
    expect(skipped.seq).toBe(40);
    expect(skipped.state).toEqual(JSON.parse(JSON.stringify(replay(all.filter((e) => e.seq !== withheld)))));

    const late = await ingestEvents(all.filter((e) => e.seq === withheld));
    expect(late.results[0]).toMatchObject({ status: "accepted", late: true });
    const corrected = await matchState(matchId);
    expect(corrected.state).toEqual(JSON.parse(JSON.stringify(replay(all))));
  });
});

describe("time travel", () => {
  it("?at=SEQ equals replaying up to that seq", async () => {
    const matchId = "time-travel";
    const events = fixtureEvents("1322356", matchId);
    for (let i = 0; i < events.length; i += 500) await ingestEvents(events.slice(i, i + 500));
    for (const at of [1, 2, 49, 50, 51, 777, 1500, events.length]) {
      const got = await matchState(matchId, at);
      expect(got.seq).toBe(at);
      expect(got.state, `at=${at}`).toEqual(JSON.parse(JSON.stringify(replay(events.slice(0, at)))));
    }
  });
});
