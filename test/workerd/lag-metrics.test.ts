import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

interface LagReply {
  receivedSeq: number;
  appliedSeq: number;
  buffered: number;
  gaps: { fromSeq: number; toSeq: number; missing: number }[];
  deadLetters: number;
  consumer: { status: string; lag: number; slopePerSecond: number; samples: unknown[] };
}

const lagOf = async (matchId: string) =>
  (await (await worker(`/v1/admin/matches/${matchId}/lag`, { headers: ADMIN })).json()) as LagReply;

describe("lag and /metrics", () => {
  const matchId = "lag-gap";
  const events = fixtureEvents("1298179", matchId).slice(0, 30);

  it("reports received, applied, buffered and the gap the ledger moved past", async () => {
    await ingestEvents(events.slice(0, 10));
    expect(await lagOf(matchId)).toMatchObject({
      receivedSeq: 10,
      appliedSeq: 10,
      buffered: 0,
      deadLetters: 0,
    });
    expect((await lagOf(matchId)).consumer).toMatchObject({ status: "OK", lag: 0 });

    // Seq 11 goes missing: 19 events wait behind it.
    await ingestEvents(events.slice(11));
    const behind = await lagOf(matchId);
    expect(behind).toMatchObject({ receivedSeq: 30, appliedSeq: 10, buffered: 19 });
    expect(behind.consumer.lag).toBe(20);

    await new Promise((r) => setTimeout(r, 350));
    await runDurableObjectAlarm(env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId)));
    const skipped = await lagOf(matchId);
    expect(skipped).toMatchObject({ receivedSeq: 30, appliedSeq: 30, buffered: 0 });
    expect(skipped.gaps).toEqual([expect.objectContaining({ fromSeq: 11, toSeq: 11, missing: 1 })]);
  });

  it("exposes the same figures as Prometheus text behind the admin token", async () => {
    const res = await worker("/metrics", { headers: ADMIN });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain(`crease_ledger_received_seq{match="${matchId}"} 30`);
    expect(text).toContain(`crease_ledger_applied_seq{match="${matchId}"} 30`);
    expect(text).toContain(`crease_ledger_gap_missing_events{match="${matchId}"} 1`);
    expect(text).toMatch(
      new RegExp(`crease_ledger_lag_status\\{match="${matchId}",status="(OK|WARNING|STALLED|STOPPED)"\\} 1`),
    );
  });

  it("answers 404 for the lag of an unknown match", async () => {
    expect((await worker("/v1/admin/matches/nobody/lag", { headers: ADMIN })).status).toBe(404);
  });
});
