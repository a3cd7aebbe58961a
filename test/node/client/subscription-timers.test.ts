/**
 * The timing rules, under fake timers with an in-memory socket: exact waits, exact counts of
 * pending timers, no real time spent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type SubscribeOptions, subscribe } from "../../../client/index.ts";
import {
  HEARTBEAT_PING,
  type JsonValue,
  type PatchMessage,
  type ServerMessage,
} from "../../../protocol/live-messages.ts";
import { createFakeWebSocket, type FakeSocket } from "./support/fake-websocket.ts";

const snapshot = (seq: number, state: JsonValue = { runs: seq }): ServerMessage => ({
  type: "snapshot",
  matchId: "m1",
  epoch: "e1",
  seq,
  state,
});
const patch = (prev: number, runs: number, resumed?: true): PatchMessage => ({
  type: "patch",
  matchId: "m1",
  seq: prev + 1,
  prev,
  ops: [{ op: "replace", path: "/runs", value: runs }],
  ...(resumed ? { resumed } : {}),
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function start(options: Partial<SubscribeOptions<{ runs: number }>> = {}) {
  const fake = createFakeWebSocket();
  const client = subscribe<{ runs: number }>({
    baseUrl: "https://crease.test",
    matchId: "m1",
    WebSocket: fake.WebSocket,
    heartbeatIntervalMs: 1000,
    heartbeatTimeoutMs: 3000,
    random: () => 0.5,
    ...options,
  });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  const socket = (i: number): FakeSocket => {
    const s = fake.sockets[i];
    if (!s) throw new Error(`socket ${i} was never opened (${fake.sockets.length} were)`);
    return s;
  };
  /** Opens socket i and sends it a snapshot. */
  const sync = (i: number, seq = 0): FakeSocket => {
    socket(i).serverOpen();
    socket(i).serverSend(snapshot(seq));
    return socket(i);
  };
  return { client, sockets: fake.sockets, socket, sync, errors };
}

describe("timers", () => {
  it("close() leaves no timer behind, whatever the phase", () => {
    const { client, sync, socket } = start();
    expect(vi.getTimerCount()).toBe(1); // the handshake watchdog
    sync(0);
    expect(vi.getTimerCount()).toBe(2); // heartbeat interval + silence watchdog
    client.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(socket(0).clientClose).toEqual({ code: 1000, reason: "client closed" });

    const waiting = start();
    waiting.sync(0).serverClose(1012);
    expect(waiting.client.status).toBe("reconnecting");
    waiting.client.close();
    expect(vi.getTimerCount()).toBe(0);

    const resyncing = start();
    resyncing.sync(0).serverSend(patch(5, 1));
    expect(resyncing.client.status).toBe("resyncing");
    resyncing.client.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never reconnects immediately after a server close: it waits the jittered delay", () => {
    const { client, sockets, sync } = start();
    sync(0).serverClose(1012, "restart");
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(249); // 0.5 × 500 ms
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]?.url).toBe("wss://crease.test/v1/matches/m1/ws?since=0&epoch=e1&snapshot=gzip");
    expect(client.status).toBe("reconnecting");
  });

  it("doubles the window while connections keep failing, and starts over once one stays healthy", () => {
    const { sockets, socket, sync } = start();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      socket(i).serverClose(1006); // a handshake that failed
      const before = Date.now();
      while (sockets.length === i + 1) vi.advanceTimersByTime(1);
      waits.push(Date.now() - before);
    }
    expect(waits).toEqual([250, 500, 1000, 2000]);

    // In sync but dropped at once (a crash loop): no reset.
    sync(4).serverClose(1011);
    vi.advanceTimersByTime(4000);
    expect(sockets).toHaveLength(6);
    // In sync for the heartbeat timeout: the next wait is attempt 0's again.
    sync(5);
    vi.advanceTimersByTime(3000);
    socket(5).serverClose(1001);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(7);
  });

  it("waits exactly the server's retry hint instead of the computed delay", () => {
    const { sockets, sync } = start();
    const s = sync(0);
    s.serverSend({ type: "retry", afterMs: 7000 });
    s.serverClose(1013, "overloaded");
    vi.advanceTimersByTime(6999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
  });

  it("pings every interval, acknowledges the seq every 5th beat, and gives up after silence", () => {
    const { client, sockets, sync } = start();
    const s = sync(0);
    s.serverSend(patch(0, 4));
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1000);
      s.serverSend({ type: "pong" });
    }
    expect(s.sent.filter((f) => f === HEARTBEAT_PING)).toHaveLength(5);
    expect(s.sent.filter((f) => f !== HEARTBEAT_PING)).toEqual(['{"type":"ping","seq":1}']);

    vi.advanceTimersByTime(2999);
    expect(client.staleMs()).toBe(2999);
    expect(s.clientClose).toBeNull();
    vi.advanceTimersByTime(1);
    expect(s.clientClose).toEqual({ code: 4000, reason: "heartbeat timeout" });
    expect(client.status).toBe("reconnecting");
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it("reconnects when a resume goes unanswered for the heartbeat timeout", () => {
    const { client, sockets, sync } = start();
    const s = sync(0);
    s.serverSend(patch(3, 9)); // a gap
    expect(s.sent).toContain('{"type":"resume","since":0,"epoch":"e1"}');
    // Frames keep arriving, so the silence watchdog stays quiet; only the resync deadline fires.
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(999);
      s.serverSend({ type: "pong" });
    }
    expect(s.clientClose).toBeNull();
    vi.advanceTimersByTime(3);
    expect(s.clientClose).toEqual({ code: 4000, reason: "resync timed out" });
    expect(client.status).toBe("reconnecting");
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });
});

describe("resuming from a position given at subscribe time", () => {
  it("applies the missed patches to the state given with since/epoch", () => {
    const { client, socket } = start({ since: 7, epoch: "e1", state: { runs: 70 } });
    expect(socket(0).url).toBe("wss://crease.test/v1/matches/m1/ws?since=7&epoch=e1&snapshot=gzip");
    const updates: unknown[] = [];
    client.on("update", (u) => updates.push(u));
    socket(0).serverOpen();
    expect(client.status).toBe("connecting");
    socket(0).serverSend(patch(7, 75, true));
    socket(0).serverSend({ type: "presence", matchId: "m1", seq: 8, viewers: 3, resumed: true });
    expect(client.status).toBe("open");
    expect(updates).toEqual([{ seq: 8, prev: 7, state: { runs: 75 } }]);
  });

  it("without a state, starts over from a snapshot when a patch arrives", () => {
    const { client, socket, sockets, errors } = start({ since: 7, epoch: "e1" });
    socket(0).serverOpen();
    socket(0).serverSend(patch(7, 75, true));
    expect(errors[0]?.message).toMatch(/no state to apply to/);
    expect(client.seq).toBeNull();
    vi.advanceTimersByTime(250);
    expect(sockets[1]?.url).toBe("wss://crease.test/v1/matches/m1/ws?snapshot=gzip");
  });

  it("starts over when the same patch fails to apply twice", () => {
    const { client, sockets, sync, errors } = start();
    const s = sync(0, 0);
    const bad: PatchMessage = { ...patch(0, 1), ops: [{ op: "remove", path: "/missing" }] };
    s.serverSend(bad);
    expect(client.status).toBe("resyncing");
    s.serverSend({ ...bad, resumed: true });
    expect(errors).toHaveLength(2);
    expect(client.seq).toBeNull();
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]?.url).not.toContain("since");
  });
});

describe("subscribe()", () => {
  it("throws at once on a malformed base URL or token, and without a WebSocket", () => {
    const fake = createFakeWebSocket();
    expect(() => subscribe({ baseUrl: "nope", matchId: "m1", WebSocket: fake.WebSocket })).toThrow(TypeError);
    expect(() =>
      subscribe({ baseUrl: "https://x.test", matchId: "m1", WebSocket: fake.WebSocket, token: "a b" }),
    ).toThrow(/HTTP token/);
    vi.stubGlobal("WebSocket", undefined);
    try {
      expect(() => subscribe({ baseUrl: "https://x.test", matchId: "m1" })).toThrow(/No WebSocket/);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fake.sockets).toHaveLength(0);
  });
});
