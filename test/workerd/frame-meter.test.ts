import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { roomName } from "../../edge/fanout-tree.ts";
import { FRAME_COSTS } from "../../edge/frame-meter.ts";
import { RESUME_METER_POLICY, RESUME_REFUSALS } from "../../edge/resume-meter.ts";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { sleep } from "../support/time.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

// The defaults (wrangler.toml and config/crease-config.ts): a bucket of 60 tokens per socket,
// 5 back a second; an acknowledgement costs 1, a resume or subscribe 10. One asked-for snapshot
// per socket per 5 s. In tests the ring holds 8 patches and the presence tick runs every 500 ms.

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

describe("a resume is charged by what its answer sends", () => {
  /** The bytes of the frames `viewer` received from index `from` on (each frame's JSON, as sent). */
  const bytesSince = (viewer: TestViewer, from: number) =>
    viewer.frames.slice(from).reduce((n, f) => n + JSON.stringify(f).length, 0);

  /**
   * The first `balls` of a match, `perBatch` to a request: more versions than the ring (8) holds,
   * so a resume from seq 1 is every patch since, from the ledger. Only the bytes matter here, and
   * fewer requests are quicker. Returns the head seq.
   */
  async function bigMatch(matchId: string, balls: number, perBatch: number): Promise<number> {
    const events = fixtureEvents("1175359", matchId).slice(0, balls);
    await ingestEvents(events.slice(0, 1));
    for (let i = 1; i < events.length; i += perBatch) await ingestEvents(events.slice(i, i + perBatch));
    return (await matchState(matchId)).seq;
  }

  /**
   * Sends a resume from seq 1 of the big match (every patch since, from the ledger: the ring does
   * not reach back) and waits for its answer or the close; true if answered.
   */
  async function resumeFromFarBack(viewer: TestViewer): Promise<boolean> {
    const before = viewer.frames.length;
    viewer.send(JSON.stringify({ type: "resume", since: 1, epoch: viewer.epoch }));
    await viewer.waitFor(
      () =>
        viewer.closed !== null || viewer.frames.slice(before).some((f) => f.type === "presence" && f.resumed),
      "the resume's answer or the close",
    );
    return viewer.closed === null;
  }

  it("gives a socket that has not acknowledged its replays no more of them: 4008 once they pass 256 KiB", async () => {
    const matchId = "meter-unread";
    const head = await bigMatch(matchId, 120, 10); // about 70 KB a replay
    const other = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    // It reads (the test harness records every frame) but never acknowledges: to the room, it has not read.
    const hoarder = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await Promise.all([other.waitForSeq(head), hoarder.waitForSeq(head)]);
    const from = hoarder.frames.length;
    let answered = 0;
    // Inside the frame meter (6 resumes at once): before the byte charge all six were answered, and
    // one every 2 s after them without end (9.4 MB queued in 50 s in issue 18).
    for (let i = 0; i < 6 && (await resumeFromFarBack(hoarder)); i++) answered++;
    await hoarder.waitFor(() => hoarder.closed !== null, "the hoarder's close");
    expect(hoarder.closed).toEqual({ code: CLOSE_CODES.tooSlow, reason: RESUME_REFUSALS.unread });
    expect(hoarder.frames.at(-1)).toMatchObject({ type: "retry", reason: RESUME_REFUSALS.unread });
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThan(6);
    const perAnswer = bytesSince(hoarder, from) / answered;
    expect(perAnswer).toBeGreaterThan(50_000); // each answer really was a long replay
    expect(bytesSince(hoarder, from)).toBeLessThan(RESUME_METER_POLICY.maxUnreadBytes + perAnswer + 1000);
    expect(other.closed).toBeNull();
  });

  it("holds a socket that acknowledges without reading to the byte budget (1 MiB, then 16 KiB a second), and lets one that reads resume", async () => {
    const matchId = "meter-overspent";
    const head = await bigMatch(matchId, 258, 2); // the whole match: about 340 KB a replay
    const liar = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await liar.waitForSeq(head);
    const from = liar.frames.length;
    let answered = 0;
    for (let i = 0; i < 10; i++) {
      if (!(await resumeFromFarBack(liar))) break;
      answered++;
      // "Read it all": the room cannot tell a lie from the truth, so the bytes are what bound it.
      liar.send(JSON.stringify({ type: "ping", seq: head }));
      await sleep(1000); // inside the frame meter: 11 tokens a cycle, 5 back a second from a burst of 60
    }
    await liar.waitFor(() => liar.closed !== null, "the liar's close");
    expect(liar.closed).toEqual({ code: CLOSE_CODES.tooSlow, reason: RESUME_REFUSALS.overspent });
    const elapsedS = answered * 1.1;
    const budget = RESUME_METER_POLICY.burstBytes + elapsedS * RESUME_METER_POLICY.bytesPerSecond;
    expect(bytesSince(liar, from)).toBeLessThan(budget + bytesSince(liar, from) / answered + 1000);
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(answered).toBeLessThan(10);

    // The same resumes from a viewer that acknowledges between them: answered, never cut.
    const reader = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await reader.waitForSeq(head);
    await resumeFromFarBack(reader);
    expect(reader.closed).toBeNull();
    reader.send(JSON.stringify({ type: "ping", seq: head }));
    await resumeFromFarBack(reader);
    expect(reader.closed).toBeNull();
    await sleep(600);
    expect(reader.closed).toBeNull();
  }, 60_000);
});
