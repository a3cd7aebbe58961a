import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { roomStub } from "../../rpc/room.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, matchState, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

// The test config makes rooms small (20 sockets) and the tree narrow (4 children a node),
// so a couple of hundred viewers open several shards per region and a tree two levels deep.
const ROOM_CAP = 20;

const ledgerStub = (matchId: string) => env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));

/** Viewers connected together, so a test's set-up is not one round trip per socket. */
const CONNECT_BATCH = 20;

/**
 * `count` viewers of one region, connected `CONNECT_BATCH` at a time. A room decides admission
 * one request at a time and a full shard sends the door on to the next, so connecting together
 * fills the region exactly as connecting one by one does.
 */
async function connectMany(matchId: string, region: string, count: number): Promise<TestViewer[]> {
  const viewers: TestViewer[] = [];
  for (let first = 0; first < count; first += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - first) }, () =>
      TestViewer.connect(`/v1/matches/${matchId}/ws?region=${region}`),
    );
    viewers.push(...(await Promise.all(batch)));
  }
  return viewers;
}

// Every socket closed (and its close answered) after each test; every room quiet before the
// runtime is torn down, so no tick or publication outlives the file.
afterEach(() => TestViewer.closeAll());
afterAll(() => settleObjects(), 30_000);

/** Whether the ledger publishes to `region` (its hub has registered and not been forgotten). */
async function registered(matchId: string, region: string): Promise<boolean> {
  return runInDurableObject(
    ledgerStub(matchId),
    (_instance, state) =>
      state.storage.sql.exec("SELECT region FROM edge_regions WHERE region = ?", region).toArray().length > 0,
  );
}

describe("fan-out through regional shards", () => {
  it("delivers every version, in order, to hundreds of viewers over two regions", {
    timeout: 120_000,
  }, async () => {
    const matchId = "edge-fanout";
    const events = fixtureEvents("1216517", matchId).slice(0, 60);
    await ingestEvents(events.slice(0, 5));
    const viewers = [
      ...(await connectMany(matchId, "weur", 130)),
      ...(await connectMany(matchId, "apac", 90)),
    ];
    await Promise.all(viewers.map((v) => v.waitForSeq(5)));

    // More viewers than one room holds: several shards per region, a tree under each hub.
    const weurShards = Math.ceil(130 / ROOM_CAP);
    const hub = await roomStub(env, matchId, "weur", 0).stats();
    expect(hub.sockets).toBeLessThanOrEqual(ROOM_CAP);
    expect(hub.children.length).toBeGreaterThan(0);
    let sockets = 0;
    for (let shard = 0; shard < weurShards + 2; shard++)
      sockets += (await roomStub(env, matchId, "weur", shard).stats()).sockets;
    expect(sockets).toBe(130);

    for (let i = 5; i < 60; i += 5) await ingestEvents(events.slice(i, i + 5));
    await Promise.all(viewers.map((v) => v.waitForSeq(60, 30_000)));
    const expected = (await matchState(matchId)).state;
    for (const v of viewers) {
      expect(v.errors).toEqual([]);
      expect(v.appliedEvery([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]), JSON.stringify(v.steps())).toBe(
        true,
      );
      expect(v.state).toEqual(expected);
    }
    for (const v of viewers) v.close();
  });
});

describe("resume", () => {
  it("replays the missed patches to a viewer that comes back with since and epoch", async () => {
    const matchId = "edge-resume";
    const events = fixtureEvents("1175359", matchId).slice(0, 50);
    await ingestEvents(events.slice(0, 10));
    const first = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await first.waitForSeq(10);
    const epoch = first.epoch;
    const held = { state: first.state, seq: 10, epoch };
    first.close();
    for (let i = 10; i < 30; i += 5) await ingestEvents(events.slice(i, i + 5));

    const back = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur&since=10&epoch=${epoch}`, {
      held,
    });
    await back.waitForSeq(30);
    expect(back.frames.filter((f) => f.type === "snapshot")).toEqual([]);
    // The missed versions come as patches marked resumed; any published while it reconnected
    // follow live (perhaps as one coalesced patch, if the room itself had to catch up first).
    expect(back.appliedEvery([10, 15, 20, 25, 30], 10), JSON.stringify(back.versions())).toBe(true);
    expect(back.frames[0]).toMatchObject({ type: "patch", prev: 10, resumed: true });
    await back.waitFor(
      () => back.frames.some((f) => f.type === "presence" && f.resumed === true),
      "resumed presence",
    );
    expect(back.state).toEqual((await matchState(matchId)).state);
  });

  it("resumes from the ledger's log when the room's ring does not reach back, and answers another epoch with a snapshot", async () => {
    const matchId = "edge-resume-far";
    const events = fixtureEvents("1175359", matchId).slice(0, 120);
    await ingestEvents(events.slice(0, 2));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(2);
    const epoch = viewer.epoch;
    const held = { state: viewer.state, seq: 2, epoch };
    // One version per event: far more versions than the ring (ROOM_RING_SIZE is 8 in tests) holds.
    for (let i = 2; i < 120; i++) await ingestEvents(events.slice(i, i + 1));
    await viewer.waitForSeq(120, 30_000);

    const far = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur&since=2&epoch=${epoch}`, {
      held,
    });
    await far.waitForSeq(120);
    expect(far.frames.some((f) => f.type === "snapshot")).toBe(false);
    expect(far.versions()).toHaveLength(118);
    expect(far.state).toEqual((await matchState(matchId)).state);

    const otherEpoch = await TestViewer.connect(
      `/v1/matches/${matchId}/ws?region=weur&since=2&epoch=elsewhere`,
    );
    await otherEpoch.waitForSeq(120);
    expect(otherEpoch.frames[0]).toMatchObject({ type: "snapshot", seq: 120 });
  });

  it("answers a resume sent over the open socket", async () => {
    const matchId = "edge-resume-inband";
    const events = fixtureEvents("1175359", matchId).slice(0, 20);
    await ingestEvents(events.slice(0, 20));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(20);
    const before = viewer.frames.length;
    viewer.send(JSON.stringify({ type: "resume", since: 20, epoch: viewer.epoch }));
    await viewer.waitFor(
      () => viewer.frames.slice(before).some((f) => f.type === "presence" && f.resumed),
      "resumed",
    );
  });
});

describe("a lost notification is repaired by the pull path", () => {
  it("pulls the missing versions from the ledger when the next one arrives with a hole before it", async () => {
    const matchId = "edge-lost";
    const events = fixtureEvents("1216517", matchId).slice(0, 60);
    await ingestEvents(events.slice(0, 10));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(10);

    // Drop a notification on purpose: the ledger forgets the region, then takes a write. The
    // hub's presence report (every 500 ms here) registers the region again, and on a busy
    // machine it can do so before the write; then nothing was lost, so try the next batch.
    // Still unregistered after the write means the ledger published that version to nobody.
    let next = 10;
    let lost = false;
    while (!lost) {
      if (next >= 50) throw new Error("the hub re-registered before every write: no notification was lost");
      const forgot = await worker(`/v1/admin/matches/${matchId}/edge/forget`, {
        method: "POST",
        headers: ADMIN,
      });
      expect(((await forgot.json()) as { forgotten: number }).forgotten).toBe(1);
      await ingestEvents(events.slice(next, next + 10));
      next += 10;
      lost = !(await registered(matchId, "weur"));
      if (!lost) await viewer.waitForSeq(next);
    }

    // The region's next presence report re-registers it; the next version arrives after a hole.
    await runInDurableObject(ledgerStub(matchId), (_instance, state) => {
      state.storage.sql.exec(
        "INSERT OR IGNORE INTO edge_regions (region, registered_at, reported_at) VALUES ('weur', 0, 0)",
      );
    });
    await ingestEvents(events.slice(next, next + 10));
    next += 10;
    await viewer.waitForSeq(next);
    expect(viewer.errors).toEqual([]);
    // Every version in order, the lost one included (pulled, or caught up by the presence tick).
    const batches = Array.from({ length: next / 10 }, (_, i) => (i + 1) * 10);
    expect(viewer.appliedEvery(batches), JSON.stringify(viewer.versions())).toBe(true);
    expect(viewer.state).toEqual((await matchState(matchId)).state);
  });

  it("catches up on a quiet match from the presence tick alone", async () => {
    const matchId = "edge-lost-quiet";
    const events = fixtureEvents("1216517", matchId).slice(0, 20);
    await ingestEvents(events.slice(0, 10));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(10);
    await runInDurableObject(ledgerStub(matchId), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM edge_regions");
    });
    await ingestEvents(events.slice(10, 20)); // the last version of this match, and its notification is lost
    // Presence ticks every 500 ms in tests: the hub's report learns the ledger is ahead and pulls.
    await viewer.waitForSeq(20, 5_000);
    expect(viewer.state).toEqual((await matchState(matchId)).state);
  });
});

describe("protocol hygiene", () => {
  it("presence arrives on a quiet match", async () => {
    const matchId = "edge-presence";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 3));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitFor(
      () => viewer.frames.some((f) => f.type === "presence" && f.seq === 3 && f.viewers >= 1),
      "presence",
    );
    // The hub's report reaches the ledger, and the match list shows who is watching.
    let listed = 0;
    for (let i = 0; i < 50 && listed < 1; i++) {
      const list = (await (await worker("/v1/matches")).json()) as {
        matches: { matchId: string; viewers: number }[];
      };
      listed = list.matches.find((m) => m.matchId === matchId)?.viewers ?? 0;
      if (listed < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toBe(1);
  });

  it("answers the heartbeat ping with pong", async () => {
    await ingestEvents(fixtureEvents("1216517", "edge-ping").slice(0, 1));
    const viewer = await TestViewer.connect("/v1/matches/edge-ping/ws?region=weur");
    viewer.send('{"type":"ping"}');
    await viewer.waitFor(() => viewer.frames.some((f) => f.type === "pong"), "pong");
  });

  it.each([
    ["an unknown message", '{"type":"publish","seq":1}'],
    ["a message over the size limit", JSON.stringify({ type: "ping", pad: "x".repeat(400) })],
    ["not JSON", "hello"],
  ])("closes the socket with 1008 on %s", async (_what, frame) => {
    await ingestEvents(fixtureEvents("1216517", "edge-policy").slice(0, 1));
    const viewer = await TestViewer.connect("/v1/matches/edge-policy/ws?region=weur");
    viewer.send(frame);
    await viewer.waitFor(() => viewer.closed !== null, "close");
    expect(viewer.closed?.code).toBe(CLOSE_CODES.policyViolation);
  });

  it("refuses a plain GET with 426 and an unknown region with 400", async () => {
    expect((await worker("/v1/matches/edge-x/ws")).status).toBe(426);
    const res = await worker("/v1/matches/edge-x/ws?region=mars", { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(400);
  });
});

describe("overload", () => {
  it("refuses with 1013 and a jittered retry hint once every shard of a region is full", {
    timeout: 120_000,
  }, async () => {
    // ROOM_MAX_SHARDS is 8 in tests: a region holds 8 × 20 sockets.
    const matchId = "edge-full";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 2));
    const held = await connectMany(matchId, "afr", 8 * ROOM_CAP);
    const refused = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=afr`);
    await refused.waitFor(() => refused.closed !== null, "close");
    expect(refused.closed?.code).toBe(CLOSE_CODES.tryAgainLater);
    const retry = refused.frames.find((f) => f.type === "retry");
    expect(retry?.type === "retry" && retry.afterMs).toBeGreaterThanOrEqual(5000);
    for (const v of held) v.close();
  });
});
