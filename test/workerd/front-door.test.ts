import { env, listDurableObjectIds } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { signViewerToken } from "../../edge/viewer-token.ts";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

// PRIVATE_MATCHES is "private-*" and VIEWER_TOKEN_SECRET "test-viewer-secret" in tests.
const SECRET = "test-viewer-secret";
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

afterEach(() => TestViewer.closeAll());

/** Every route that reveals something about a match, as a reader would ask. */
const READ_ROUTES = (id: string) => [
  `/v1/matches/${id}`,
  `/v1/matches/${id}?at=2`,
  `/v1/matches/${id}/events`,
  `/v1/matches/${id}/presence`,
  `/v1/matches/${id}/stream?region=weur`,
];

/** How many objects with storage each namespace a match can create holds. */
async function objectCounts(): Promise<{ ledgers: number; rooms: number; fastRead: number }> {
  return {
    ledgers: (await listDurableObjectIds(env.MATCH_LEDGER)).length,
    rooms: (await listDurableObjectIds(env.MATCH_ROOM)).length,
    fastRead: (await listDurableObjectIds(env.FAST_READ)).length,
  };
}

async function listedIds(): Promise<string[]> {
  const body = (await (await worker("/v1/matches")).json()) as { matches: { matchId: string }[] };
  return body.matches.map((m) => m.matchId);
}

describe("private matches stay private", () => {
  const matchId = "private-door";

  it("answers 401 with a JSON error and no byte of the match on every route without a token", async () => {
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 5));
    for (const path of READ_ROUTES(matchId)) {
      const res = await worker(path);
      const text = await res.text();
      expect(res.status, path).toBe(401);
      expect(JSON.parse(text).error.code, path).toBe("unauthorized");
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      // No team, no player, no score: the body is the error and nothing else.
      for (const secret of ["innings", "batter", "epoch", 'seq"', "Sunrisers", "Kolkata", "viewers"]) {
        expect(text, `${path} leaks ${secret}`).not.toContain(secret);
      }
    }
    const socket = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await socket.waitFor(() => socket.closed !== null, "close");
    expect(socket.closed?.code).toBe(CLOSE_CODES.unauthorized);
    expect(socket.frames.filter((f) => f.type !== "retry")).toEqual([]);
  });

  it("serves a token holder (Bearer on HTTP, ?token= on SSE), privately and never from shared caches", async () => {
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 5));
    const token = await signViewerToken(SECRET, matchId, inAMinute());
    for (const path of READ_ROUTES(matchId).filter((p) => !p.includes("/stream"))) {
      const res = await worker(path, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("private, no-store");
      await res.body?.cancel();
    }
    const sse = await worker(`/v1/matches/${matchId}/stream?region=weur&token=${token}`);
    expect(sse.status).toBe(200);
    expect(sse.headers.get("cache-control")).toContain("private, no-store");
    await sse.body?.cancel();
  });

  it("accepts a prefix token for every match under it, and refuses expired, foreign and forged tokens", async () => {
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 2));
    const get = (token: string) =>
      worker(`/v1/matches/${matchId}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(await signViewerToken(SECRET, "private-*", inAMinute()))).status).toBe(200);
    expect((await get(await signViewerToken(SECRET, "private-other", inAMinute()))).status).toBe(401);
    expect((await get(await signViewerToken(SECRET, "public-*", inAMinute()))).status).toBe(401);
    expect(
      (await get(await signViewerToken(SECRET, matchId, Math.floor(Date.now() / 1000) - 1))).status,
    ).toBe(401);
    expect((await get(await signViewerToken("another-secret", matchId, inAMinute()))).status).toBe(401);
    expect((await get("not-a-token")).status).toBe(401);
  });

  it("never appears in the public match list", async () => {
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 2));
    await ingestEvents(fixtureEvents("1216517", "public-door").slice(0, 2));
    const ids = await listedIds();
    expect(ids).toContain("public-door");
    expect(ids.filter((id) => id.startsWith("private-"))).toEqual([]);
  });

  it("does not reveal whether a private id exists", async () => {
    const unknown = await worker("/v1/matches/private-never-ingested");
    expect(unknown.status).toBe(401);
  });
});

describe("viewers create nothing", () => {
  it("answers 404 on every read route and 4004 on a socket for a match never ingested, writing no storage", async () => {
    const before = await objectCounts();
    for (let i = 0; i < 20; i++) {
      const id = `ghost-${i}`;
      for (const path of READ_ROUTES(id)) {
        const res = await worker(path);
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_match");
      }
      const socket = await TestViewer.connect(`/v1/matches/${id}/ws?region=weur`);
      await socket.waitFor(() => socket.closed !== null, "close");
      expect(socket.closed?.code).toBe(CLOSE_CODES.unknownMatch);
      // Terminal: no retry hint, the client must not come back.
      expect(socket.frames).toEqual([]);
    }
    expect(await objectCounts()).toEqual(before);
    expect((await listedIds()).filter((id) => id.startsWith("ghost-"))).toEqual([]);
    const metrics = await (await worker("/metrics", { headers: ADMIN })).text();
    expect(metrics).not.toContain("ghost-");
  });

  it("makes a match readable as soon as its first signed event is acknowledged", async () => {
    const id = "born-now";
    expect((await worker(`/v1/matches/${id}`)).status).toBe(404);
    const ledgers = (await listDurableObjectIds(env.MATCH_LEDGER)).length;
    // The negative answer is remembered for a second; the match must become readable after that.
    await ingestEvents(fixtureEvents("1216517", id).slice(0, 1));
    // The storage count above sees a new object (so its "unchanged" for ghosts means something).
    expect((await listDurableObjectIds(env.MATCH_LEDGER)).length).toBe(ledgers + 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await worker(`/v1/matches/${id}`)).status).toBe(200);
  });
});

describe("admins create nothing", () => {
  /** Every admin route about one match, as an operator (or a typo) would call it. */
  const ADMIN_ROUTES = (id: string): [string, string][] => [
    ["GET", `/v1/admin/matches/${id}/dead-letters`],
    ["POST", `/v1/admin/matches/${id}/edge/forget`],
    ["DELETE", `/v1/admin/matches/${id}`],
    ["GET", `/v1/admin/matches/${id}/lag`],
    ["POST", `/v1/admin/matches/${id}/dead-letters/5/replay`],
    ["POST", `/v1/admin/matches/${id}/dead-letters/5/discard`],
    ["POST", `/v1/admin/matches/${id}/buffered/5/discard`],
    ["POST", `/v1/admin/matches/${id}/gaps/5/acknowledge`],
  ];

  it("answers 404 unknown_match on every admin route for an id never ingested, and no object of it exists", async () => {
    const before = await objectCounts();
    for (let i = 0; i < 5; i++) {
      const id = `admin-ghost-${i}`;
      for (const [method, path] of ADMIN_ROUTES(id)) {
        const res = await worker(path, { method, headers: ADMIN });
        expect(res.status, `${method} ${path}`).toBe(404);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code, `${method} ${path}`).toBe("unknown_match");
        expect(body.error.message).toContain(id);
      }
      const ledgers = await listDurableObjectIds(env.MATCH_LEDGER);
      expect(ledgers.some((o) => o.equals(env.MATCH_LEDGER.idFromName(id)))).toBe(false);
      const stores = await listDurableObjectIds(env.FAST_READ);
      expect(stores.some((o) => o.equals(env.FAST_READ.idFromName(`match:${id}`)))).toBe(false);
    }
    expect(await objectCounts()).toEqual(before);
    expect((await listedIds()).filter((id) => id.startsWith("admin-ghost-"))).toEqual([]);
  });

  it("still reaches a match ingested a moment ago (the index is asked, not a cached answer)", async () => {
    const id = "admin-born-now";
    // A viewer's 404 is remembered by the Worker for a second; the admin routes must not wait it out.
    expect((await worker(`/v1/matches/${id}`)).status).toBe(404);
    await ingestEvents(fixtureEvents("1216517", id).slice(0, 3));
    const res = await worker(`/v1/admin/matches/${id}/dead-letters`, { headers: ADMIN });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ matchId: id, deadLetters: [] });
  });
});
