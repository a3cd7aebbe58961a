import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { roomName } from "../../edge/fanout-tree.ts";
import { readAttachment } from "../../edge/socket-attachment.ts";
import { SocketBook } from "../../edge/socket-book.ts";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { roomStub } from "../../rpc/room.ts";
import { sleep } from "../support/time.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

// Test config: a reader that acknowledged but is more than 2 versions behind for 600 ms is
// conflated; silent for 2.5 s, it is closed with 4008. Presence ticks every 500 ms.

describe("slow readers", () => {
  it("conflates a reader that stays behind, keeps the others flowing, and catches it up with the newest state", async () => {
    const matchId = "slow-conflate";
    const events = fixtureEvents("1175359", matchId).slice(0, 80);
    await ingestEvents(events.slice(0, 5));
    const fast = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const slow = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await Promise.all([fast.waitForSeq(5), slow.waitForSeq(5)]);
    // The slow one acknowledges seq 5 once and then says nothing while the match moves on.
    slow.send(JSON.stringify({ type: "ping", seq: 5 }));
    for (let i = 5; i < 40; i += 5) await ingestEvents(events.slice(i, i + 5));
    await fast.waitForSeq(40);
    await sleep(1300); // past the slow threshold, plus a presence tick to notice it
    const framesWhenConflated = slow.frames.length;
    for (let i = 40; i < 60; i += 5) await ingestEvents(events.slice(i, i + 5));
    await fast.waitForSeq(60);
    await sleep(100);
    // Conflated: no patches (nor presence) went to the slow reader while it stayed silent.
    expect(slow.frames.slice(framesWhenConflated).filter((f) => f.type === "patch")).toEqual([]);
    expect(fast.errors).toEqual([]);
    expect(
      fast.appliedEvery([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]),
      JSON.stringify(fast.versions()),
    ).toBe(true);

    // It speaks again: one fresh snapshot of the newest state, not the backlog.
    slow.send(JSON.stringify({ type: "ping", seq: 40 }));
    await slow.waitForSeq(60);
    expect(
      slow.frames.at(-1)?.type === "snapshot" ||
        slow.frames.some((f, i) => i >= framesWhenConflated && f.type === "snapshot"),
    ).toBe(true);
    expect(slow.state).toEqual((await matchState(matchId)).state);
  });

  it("closes a conflated reader that stays silent with 4008 and a retry hint", async () => {
    const matchId = "slow-close";
    const events = fixtureEvents("1175359", matchId).slice(0, 30);
    await ingestEvents(events.slice(0, 5));
    const slow = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await slow.waitForSeq(5);
    slow.send(JSON.stringify({ type: "ping", seq: 5 }));
    for (let i = 5; i < 30; i += 5) await ingestEvents(events.slice(i, i + 5));
    await slow.waitFor(() => slow.closed !== null, "close for being too slow", 12_000);
    expect(slow.closed?.code).toBe(CLOSE_CODES.tooSlow);
    expect(slow.frames.some((f) => f.type === "retry")).toBe(true);
  });

  it("never conflates a reader that does not acknowledge (it cannot be judged)", async () => {
    const matchId = "slow-never-acks";
    const events = fixtureEvents("1175359", matchId).slice(0, 30);
    await ingestEvents(events.slice(0, 5));
    const quiet = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await quiet.waitForSeq(5);
    for (let i = 5; i < 15; i += 5) await ingestEvents(events.slice(i, i + 5));
    await sleep(1300);
    for (let i = 15; i < 30; i += 5) await ingestEvents(events.slice(i, i + 5));
    await quiet.waitForSeq(30);
    expect(quiet.errors).toEqual([]);
    expect(quiet.closed).toBeNull();
  });
});

/**
 * The heartbeat window is 60 s by default (ROOM_SILENT_AFTER_MS), too long to wait for in a
 * test: these move the room's memory of a socket back in time instead (its arrival and the
 * last frame it sent, both in its attachment). What the runtime remembers (when it last
 * answered the socket's plain ping itself, without waking the room) cannot be moved, and is
 * exactly what must keep a pinging client alive.
 */
async function backdate(matchId: string, ms: number): Promise<number> {
  const stub = env.MATCH_ROOM.get(env.MATCH_ROOM.idFromName(roomName(matchId, "weur", 0)));
  return runInDurableObject(stub, (instance, state) => {
    // The room reads attachments once per wake-up: it wakes again, with the moved ones.
    (instance as unknown as { book: unknown }).book = new SocketBook();
    let moved = 0;
    for (const ws of state.getWebSockets()) {
      const attachment = readAttachment(ws);
      if (!attachment) continue;
      ws.serializeAttachment({
        ...attachment,
        joinedAt: attachment.joinedAt - ms,
        heardAt: attachment.heardAt === null ? null : attachment.heardAt - ms,
      });
      moved++;
    }
    return moved;
  });
}

describe("silent sockets", () => {
  it("closes a socket that has sent nothing (no ping, no ack) for the heartbeat window with 4009 and a retry hint", async () => {
    const matchId = "silent-close";
    await ingestEvents(fixtureEvents("1175359", matchId).slice(0, 5));
    const silent = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await silent.waitForSeq(5);
    expect(await backdate(matchId, 61_000)).toBe(1);
    await silent.waitFor(() => silent.closed !== null, "the silent socket's close", 3000);
    expect(silent.closed?.code).toBe(CLOSE_CODES.silent);
    expect(silent.frames.at(-1)).toMatchObject({ type: "retry" });
  });

  it("keeps a socket whose plain pings the runtime answered while the room slept, and one whose acks the room saw", async () => {
    const matchId = "silent-pinging";
    await ingestEvents(fixtureEvents("1175359", matchId).slice(0, 5));
    const pinging = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    const acking = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await Promise.all([pinging.waitForSeq(5), acking.waitForSeq(5)]);
    expect(await backdate(matchId, 61_000)).toBe(2);
    pinging.send('{"type":"ping"}');
    acking.send(JSON.stringify({ type: "ping", seq: 5 }));
    await pinging.waitFor(() => pinging.frames.some((f) => f.type === "pong"), "pong");
    await sleep(1500); // three presence ticks
    expect(pinging.closed).toBeNull();
    expect(acking.closed).toBeNull();
  });

  it("never judges the SSE bridge's socket by its silence (the Worker holds it and bounds its reader)", async () => {
    const matchId = "silent-bridge";
    await ingestEvents(fixtureEvents("1175359", matchId).slice(0, 5));
    const res = await worker(`/v1/matches/${matchId}/stream?region=weur`);
    const reader = res.body?.getReader();
    await reader?.read(); // the stream is open and the room holds its bridge socket
    await sleep(200);
    expect(await backdate(matchId, 600_000)).toBe(1);
    await sleep(1500);
    const stats = await roomStub(env, matchId, "weur", 0).stats();
    expect(stats.sockets).toBe(1);
    await reader?.cancel();
  });
});
