import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signViewerToken } from "../../edge/viewer-token.ts";
import { LedgerStore } from "../../origin/ledger/ledger-store.ts";
import { MOMENTS_PAGE_LIMIT } from "../../origin/ledger/moment-store.ts";
import { type Moment, type MomentsPage, momentsPageSchema } from "../../protocol/moments.ts";
import type { Publication } from "../../protocol/publication.ts";
import {
  type DeliveryPayload,
  ENGINE_VERSION,
  type MatchState,
  momentsOfLog,
  type ProviderEvent,
} from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, worker } from "./support/ingest.ts";

/** The ledger's private parts these tests reach into (durable-objects/match-ledger.ts). */
type LedgerMemory = {
  match: { forget(): void };
  parts: { moments: { forgetStanding(): void }; edge: { publish(p: Publication): Promise<void> } };
  completing: { idle(): Promise<void> };
};

async function page(matchId: string, query = "", headers: Record<string, string> = {}): Promise<MomentsPage> {
  const res = await worker(`/v1/matches/${matchId}/moments${query}`, { headers });
  if (res.status !== 200) throw new Error(`GET moments answered ${res.status}: ${await res.text()}`);
  const body = momentsPageSchema.safeParse(await res.json());
  if (!body.success) throw new Error(`not a moments page: ${body.error.message}`);
  return body.data;
}

/** Every moment, page by page: each next page asks after the last seq received. */
async function allMoments(matchId: string, limit: number): Promise<{ moments: Moment[]; pages: number }> {
  const moments: Moment[] = [];
  let after = 0;
  for (let pages = 1; ; pages++) {
    const got = await page(matchId, `?after=${after}&limit=${limit}`);
    if (got.moments.length === 0) return { moments, pages };
    moments.push(...got.moments);
    after = got.moments.at(-1)?.seq ?? after;
  }
}

async function ingestInBatches(events: ProviderEvent[], size: number): Promise<void> {
  for (let i = 0; i < events.length; i += size) await ingestEvents(events.slice(i, i + size));
}

describe("GET /v1/matches/:id/moments", () => {
  it("serves a real match's moments as announced, each with the seq and ts of its own event, batch or not", async () => {
    const matchId = "moments-t20";
    const events = fixtureEvents("1216517", matchId);
    await ingestInBatches(events, 37);
    const { moments } = await page(matchId);
    // What the engine announces replaying the log one event at a time (checked against the raw
    // file by test/node/scoring/moments-fixtures.test.ts): batches of 37 announce the same.
    expect(moments).toEqual(momentsOfLog(events));
    // And what the ledger's own scorecard says.
    const state = (await matchState(matchId)).state as MatchState;
    const count = (kind: Moment["kind"]) => moments.filter((m) => m.kind === kind).length;
    const sum = (f: (b: MatchState["innings"][number]["batters"][number]) => number) =>
      state.innings.flatMap((i) => i.batters).reduce((n, b) => n + f(b), 0);
    expect(count("four")).toBe(sum((b) => b.fours));
    expect(count("six")).toBe(sum((b) => b.sixes));
    expect(count("wicket")).toBe(state.innings.reduce((n, i) => n + i.wickets, 0));
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const m of moments) expect(m.ts).toBe(bySeq.get(m.seq)?.ts);
  });

  it("pages with ?after= and limit, never splitting one seq's moments, and ends empty", async () => {
    const matchId = "moments-paging";
    const events = fixtureEvents("1216517", matchId);
    await ingestInBatches(events, 100);
    const whole = (await page(matchId)).moments;
    expect(whole.length).toBeGreaterThan(20);
    expect(whole.length).toBeLessThan(MOMENTS_PAGE_LIMIT);
    const paged = await allMoments(matchId, 7);
    expect(paged.moments).toEqual(whole);
    expect(paged.pages).toBeGreaterThan(whole.length / 10);
    const middle = whole[Math.floor(whole.length / 2)] as Moment;
    expect((await page(matchId, `?after=${middle.seq}`)).moments).toEqual(
      whole.filter((m) => m.seq > middle.seq),
    );
    expect((await page(matchId, `?after=${events.length}`)).moments).toEqual([]);
  });

  it("a correction that removes a four announces a retraction naming it, readable after the four's seq", async () => {
    const matchId = "moments-correction";
    const base = { matchId, ts: "2024-05-01T10:00:00.000Z" };
    const ball = (over: number, n: number, batterRuns: number): DeliveryPayload => ({
      innings: 1,
      over,
      ball: n,
      batter: "A",
      nonStriker: "B",
      bowler: "X",
      batterRuns,
    });
    const events: ProviderEvent[] = [
      {
        ...base,
        seq: 1,
        type: "match.start",
        payload: { teams: ["H", "V"], format: "T20", ballsPerOver: 6, oversLimit: 20 },
      },
      {
        ...base,
        seq: 2,
        type: "innings.start",
        payload: { battingTeam: "H", bowlingTeam: "V", superOver: false },
      },
      { ...base, seq: 3, ts: "2024-05-01T10:00:30.000Z", type: "delivery", payload: ball(0, 1, 4) },
      { ...base, seq: 4, type: "delivery", payload: ball(0, 2, 0) },
    ];
    await ingestEvents(events);
    const [four] = (await page(matchId)).moments;
    expect(four).toMatchObject({
      id: `${matchId}:3:four:3:A`,
      kind: "four",
      seq: 3,
      ts: "2024-05-01T10:00:30.000Z",
    });
    const correctionTs = "2024-05-01T10:02:00.000Z";
    await ingestEvents([
      {
        matchId,
        seq: 5,
        ts: correctionTs,
        type: "correction",
        payload: { targetSeq: 3, delivery: ball(0, 1, 1) },
      },
    ]);
    expect((await page(matchId, "?after=3")).moments).toEqual([
      {
        id: `${matchId}:5:retraction:${four?.id}`,
        kind: "retraction",
        matchId,
        seq: 5,
        ts: correctionTs,
        innings: 1,
        retracts: four?.id,
        retractedKind: "four",
      },
    ]);
    // The four stays in the log of announcements: a reader from the start sees both, in order.
    expect((await page(matchId)).moments.map((m) => m.kind)).toEqual(["four", "retraction"]);
  });

  it("keeps every id across an engine upgrade: the rest of the match announces only what is new", async () => {
    const matchId = "moments-upgrade";
    const events = fixtureEvents("1216517", matchId);
    await ingestInBatches(events.slice(0, 120), 40);
    const stub = env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));
    await runInDurableObject(stub, (instance, state) => {
      // What a deploy of another engine does (see engine-upgrade.test.ts), then a fresh instance's memory.
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'engine'");
      new LedgerStore(state.storage.sql).adoptEngine(ENGINE_VERSION, () => "upgraded");
      const shell = instance as unknown as LedgerMemory;
      shell.match.forget();
      shell.parts.moments.forgetStanding();
    });
    await ingestInBatches(events.slice(120), 40);
    expect((await page(matchId)).moments).toEqual(momentsOfLog(events));
  });

  it("a removed match's moments go with it; the id starts afresh", async () => {
    const matchId = "moments-removed";
    const events = fixtureEvents("1216517", matchId);
    await ingestEvents(events.slice(0, 80));
    expect((await page(matchId)).moments.length).toBeGreaterThan(0);
    const removed = await worker(`/v1/admin/matches/${matchId}`, { method: "DELETE", headers: ADMIN });
    expect(removed.status).toBe(200);
    expect((await worker(`/v1/matches/${matchId}/moments`)).status).toBe(404);
    await ingestEvents(events.slice(0, 40));
    await new Promise((r) => setTimeout(r, 1100)); // the front door remembers "unknown" for a second
    // Nothing of the first life: no moment of it, and no retraction of one.
    expect((await page(matchId)).moments).toEqual(momentsOfLog(events.slice(0, 40)));
  });

  it("each version's publication to the rooms carries the moments it announced", async () => {
    const matchId = "moments-publication";
    const events = fixtureEvents("1216517", matchId).slice(0, 60);
    const stub = env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));
    await ingestEvents(events.slice(0, 1)); // born through the front door, listed
    const published = await runInDurableObject(stub, async (instance) => {
      const got: Publication[] = [];
      const { edge } = (instance as unknown as LedgerMemory).parts;
      edge.publish = async (p) => {
        got.push(p);
      };
      for (const event of events.slice(1)) await instance.ingest(matchId, [event]);
      // Publications leave after the reply, in order, once each one's fossil delta is complete.
      await (instance as unknown as LedgerMemory).completing.idle();
      await new Promise((resolve) => setTimeout(resolve, 0));
      return got;
    });
    expect(published).toHaveLength(events.length - 1);
    const announced = momentsOfLog(events);
    expect(published.flatMap((p) => p.moments ?? [])).toEqual(announced);
    for (const p of published) {
      if (p.kind !== "patch") throw new Error(`expected patches, got ${p.kind}`);
      for (const m of p.moments ?? []) expect(m.seq).toBe(p.seq);
    }
    expect(published.filter((p) => p.moments === undefined).length).toBeGreaterThan(0); // none: no field
  });

  it("a fault in the moments never fails ingest: the write commits, and the moments catch up", async () => {
    const matchId = "moments-fault";
    const events = fixtureEvents("1216517", matchId);
    await ingestEvents(events.slice(0, 40));
    const stub = env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));
    await runInDurableObject(stub, (instance, state) => {
      state.storage.sql.exec('UPDATE moments SET body = \'{"kind":"nonsense"}\' WHERE pos = 1');
      (instance as unknown as LedgerMemory).parts.moments.forgetStanding();
    });
    const reply = await ingestEvents(events.slice(40, 60));
    expect(reply.results.map((r) => r.status)).toEqual(events.slice(40, 60).map(() => "accepted"));
    expect((await matchState(matchId)).seq).toBe(60);
    await runInDurableObject(stub, (instance, state) => {
      state.storage.sql.exec("DELETE FROM moments WHERE pos = 1");
      (instance as unknown as LedgerMemory).parts.moments.forgetStanding();
    });
    // With the bad row gone, the next write announces what the faulty ones could not.
    await ingestEvents(events.slice(60, 61));
    const moments = (await page(matchId)).moments;
    const expected = momentsOfLog(events.slice(0, 61)).filter((m) => m.seq <= 40 || m.seq > 60);
    const late = momentsOfLog(events.slice(0, 60)).filter((m) => m.seq > 40);
    expect(moments.filter((m) => m.seq <= 40)).toEqual(expected.filter((m) => m.seq <= 40).slice(1));
    // What seqs 41-60 made true is announced at seq 61, once, with its own keys.
    const at61 = moments.filter((m) => m.seq === 61).map((m) => m.id.split(":").slice(2).join(":"));
    for (const m of late) expect(at61).toContain(m.id.split(":").slice(2).join(":"));
  });

  it("a private match's moments need its viewer token", async () => {
    const matchId = "private-moments";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 30));
    const refused = await worker(`/v1/matches/${matchId}/moments`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const token = await signViewerToken("test-viewer-secret", matchId, Math.floor(Date.now() / 1000) + 60);
    const res = await worker(`/v1/matches/${matchId}/moments`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(((await res.json()) as MomentsPage).moments.length).toBeGreaterThan(0);
  });

  it("refuses a bad after or limit with 400 naming it, and an unknown match with 404", async () => {
    const matchId = "moments-bad-query";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 5));
    for (const query of [
      "?after=-1",
      "?after=abc",
      "?after=1.5",
      `?limit=${MOMENTS_PAGE_LIMIT + 1}`,
      "?limit=0",
    ]) {
      const res = await worker(`/v1/matches/${matchId}/moments${query}`);
      expect(res.status, query).toBe(400);
      const name = query.slice(1, query.indexOf("="));
      expect(((await res.json()) as { error: { message: string } }).error.message, query).toContain(
        `"${name}"`,
      );
    }
    expect((await worker("/v1/matches/never-ingested/moments")).status).toBe(404);
  });
});
