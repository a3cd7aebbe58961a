import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { roomName } from "../../edge/fanout-tree.ts";
import { FRAME_COSTS } from "../../edge/frame-meter.ts";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());

// The defaults (wrangler.toml and config/crease-config.ts): a bucket of 60 tokens per socket,
// 5 back a second; an acknowledgement costs 1, a resume or subscribe 10. One asked-for snapshot
// per socket per 5 s. In tests the ring holds 8 patches and the presence tick runs every 500 ms.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How many ledger reads the room has started (its in-flight map's count), read inside the
 * room; -1 for a room without one (the behaviour before the map, where every pull was a call).
 */
async function ledgerPulls(matchId: string): Promise<number> {
  const stub = env.MATCH_ROOM.get(env.MATCH_ROOM.idFromName(roomName(matchId, "weur", 0)));
  return runInDurableObject(stub, (instance) => {
    return (instance as unknown as { pulls?: { started: number } }).pulls?.started ?? -1;
  });
}

/** A match with `versions` versions (one event each): more than the ring holds, so old resumes need the ledger. */
async function matchWithVersions(matchId: string, versions: number) {
  const events = fixtureEvents("1175359", matchId).slice(0, versions);
  for (const e of events) await ingestEvents([e]);
  return events;
}

describe("every viewer frame is metered", () => {
  it("closes a socket that floods 1,500 resumes with 1008 'rate limited', calls the ledger once, and keeps the others flowing", async () => {
    const matchId = "meter-flood";
    const events = fixtureEvents("1175359", matchId).slice(0, 40);
    for (const e of events.slice(0, 30)) await ingestEvents([e]);
    const other = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const flooder = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await Promise.all([other.waitForSeq(30), flooder.waitForSeq(30)]);
    const pullsBefore = await ledgerPulls(matchId);

    // seq 2 is far behind the ring (8 patches): without a meter every one of these was a ledger
    // call and a replay of 28 patches, one after the other in the room's queue.
    const resume = JSON.stringify({ type: "resume", since: 2, epoch: flooder.epoch });
    for (let i = 0; i < 1500; i++) flooder.send(resume);
    await flooder.waitFor(() => flooder.closed !== null, "the flooder's close", 5000);
    expect(flooder.closed).toEqual({ code: CLOSE_CODES.policyViolation, reason: "rate limited" });
    // It got at most the bucket's worth of answers: 60 tokens / 10 a resume.
    const answered = flooder.frames.filter((f) => f.type === "presence" && f.resumed).length;
    expect(answered).toBeLessThanOrEqual(60 / FRAME_COSTS.resume);
    expect(pullsBefore).toBeGreaterThanOrEqual(0);
    expect(await ledgerPulls(matchId)).toBeLessThanOrEqual(pullsBefore + 1);

    // The other viewer never noticed.
    for (const e of events.slice(30)) await ingestEvents([e]);
    await other.waitForSeq(40);
    expect(other.closed).toBeNull();
    expect(other.errors).toEqual([]);
    expect(other.state).toEqual((await matchState(matchId)).state);
  });

  it("never trips on heartbeats: plain pings cost nothing, and a catch-up's burst of acks fits", async () => {
    const matchId = "meter-heartbeat";
    await ingestEvents(fixtureEvents("1175359", matchId).slice(0, 5));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(5);
    // 300 plain pings: the runtime answers each without the room (so without the meter).
    for (let i = 0; i < 300; i++) viewer.send('{"type":"ping"}');
    await viewer.waitFor(() => viewer.frames.filter((f) => f.type === "pong").length === 300, "300 pongs");
    // A catch-up of 500 versions makes the client library ack 25 times at once (every 20 patches).
    for (let i = 0; i < 25; i++) viewer.send(JSON.stringify({ type: "ping", seq: 5 }));
    // ...and it may still resume after that.
    const before = viewer.frames.length;
    viewer.send(JSON.stringify({ type: "resume", since: 5, epoch: viewer.epoch }));
    await viewer.waitFor(
      () => viewer.frames.slice(before).some((f) => f.type === "presence" && f.resumed),
      "the resume's answer",
    );
    await sleep(600);
    expect(viewer.closed).toBeNull();
  });

  it("sends a socket at most one snapshot per cooldown: one asked for sooner is owed, then sent once", async () => {
    const matchId = "meter-snapshots";
    await ingestEvents(fixtureEvents("1175359", matchId).slice(0, 5));
    const viewer = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await viewer.waitForSeq(5);
    const connectedAt = Date.now();
    // Another epoch can only be answered with the state: three times, inside the cooldown.
    for (let i = 0; i < 3; i++) viewer.send(JSON.stringify({ type: "resume", since: 5, epoch: "elsewhere" }));
    await sleep(1000);
    const snapshots = () => viewer.frames.filter((f) => f.type === "snapshot").length;
    expect(snapshots()).toBe(1); // the connection's own
    await viewer.waitFor(() => snapshots() === 2, "the owed snapshot", 10_000);
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(5000);
    await sleep(1500); // several ticks: owed once, sent once
    expect(snapshots()).toBe(2);
    expect(viewer.closed).toBeNull();
  });

  it("shares one ledger read between viewers resuming from the same point beyond the ring", async () => {
    const matchId = "meter-coalesce";
    await matchWithVersions(matchId, 30);
    const viewers: TestViewer[] = [];
    for (let i = 0; i < 10; i++)
      viewers.push(await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`));
    await Promise.all(viewers.map((v) => v.waitForSeq(30)));
    const before = await ledgerPulls(matchId);
    expect(before).toBeGreaterThanOrEqual(0);
    const epoch = viewers[0]?.epoch;
    const counts = viewers.map((v) => v.frames.length);
    for (const v of viewers) v.send(JSON.stringify({ type: "resume", since: 2, epoch }));
    await Promise.all(
      viewers.map((v, i) =>
        v.waitFor(() => v.frames.slice(counts[i]).some((f) => f.type === "presence" && f.resumed), "resumed"),
      ),
    );
    // Every one got the 28 patches after seq 2, replayed; the ledger was asked once (or twice,
    // if the first read settled before the last resume arrived), never ten times.
    for (const [i, v] of viewers.entries())
      expect(v.frames.slice(counts[i]).filter((f) => f.type === "patch" && f.resumed)).toHaveLength(28);
    expect((await ledgerPulls(matchId)) - before).toBeLessThanOrEqual(2);
  });
});
