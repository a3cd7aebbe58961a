import { env } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { MatchSummary } from "../../protocol/admin-types.ts";
import { ledgerStub } from "../../rpc/ledger.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

// ROOM_PRESENCE_INTERVAL_MS is 500 in tests.
const TICK_MS = 500;

afterEach(() => TestViewer.closeAll());

async function listed(matchId: string): Promise<MatchSummary | undefined> {
  const body = (await (await worker("/v1/matches")).json()) as { matches: MatchSummary[] };
  return body.matches.find((m) => m.matchId === matchId);
}

/** Polls the match list until `accept` holds; returns how long it took, or throws at the deadline. */
async function waitForList(
  matchId: string,
  accept: (m: MatchSummary | undefined) => boolean,
  deadlineMs: number,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (accept(await listed(matchId))) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `the match list never showed what was expected for ${matchId}: ${JSON.stringify(await listed(matchId))}`,
  );
}

describe("viewer counts on the match list", () => {
  it("drop to 0 within two report intervals once every socket has closed", async () => {
    const matchId = "counts-close";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 3));
    const viewers = [
      await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`),
      await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`),
    ];
    await Promise.all(viewers.map((v) => v.waitForSeq(3)));
    await waitForList(matchId, (m) => m?.viewers === 2, 10 * TICK_MS);
    for (const v of viewers) v.close();
    await Promise.all(viewers.map((v) => v.waitFor(() => v.closed !== null, "close")));
    const took = await waitForList(matchId, (m) => m?.viewers === 0, 6 * TICK_MS);
    expect(took).toBeLessThanOrEqual(2 * TICK_MS + 250);
  });

  it("expire when a region stops reporting without saying goodbye (a crash, a restart)", async () => {
    const matchId = "counts-silent";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 3));
    const ledger = ledgerStub(env, matchId);
    // A hub reports once and is never heard from again.
    await ledger.reportRegion(matchId, "apac", 7, 3);
    expect((await listed(matchId))?.viewers).toBe(7);
    await waitForList(matchId, (m) => m?.viewers === 0, 6 * TICK_MS);
    // The ledger's own total forgets the silent region too (it flows down to the sockets).
    const answer = await ledger.reportRegion(matchId, "weur", 2, 3);
    expect(answer.viewers).toBe(2);
  });

  it("carries each innings' score line and the result", async () => {
    const matchId = "counts-score";
    const events = fixtureEvents("1175359", matchId);
    await ingestEvents(events);
    const summary = await listed(matchId);
    expect(summary?.status).toBe("finished");
    // IPL 2019, Kings XI Punjab v Rajasthan Royals, as the scorebook has it.
    expect(summary?.innings.map((i) => `${i.team} ${i.runs}/${i.wickets} (${i.overs})`)).toEqual([
      "Kings XI Punjab 184/4 (20.0)",
      "Rajasthan Royals 170/9 (20.0)",
    ]);
    expect(summary?.result).toBe("Kings XI Punjab won by 14 runs");
    expect(summary?.lastEventTs).toBe(events.at(-1)?.ts);
  });
});
