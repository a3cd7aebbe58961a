/**
 * subscribeTicker() under fake timers with an in-memory socket: the frames it accepts, the
 * resume it asks for on a gap or a bad frame, and the same reconnect, retry-hint and
 * heartbeat rules as subscribe().
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type Headline,
  ServerClosedError,
  subscribeTicker,
  type TickerUpdate,
} from "../../../client/index.ts";
import { HEARTBEAT_PING } from "../../../protocol/live-messages.ts";
import { createFakeWebSocket, type FakeSocket } from "./support/fake-websocket.ts";

const headline = (matchId: string, runs: number): Headline => ({
  matchId,
  title: null,
  teams: ["A", "B"],
  status: "live",
  innings: [{ team: "A", runs, wickets: 1, overs: "3.2" }],
  target: null,
  required: null,
  result: null,
  viewers: 3,
  lastEventTs: "2026-11-30T10:00:00.000Z",
});
const headlines = (seq: number, ...list: Headline[]) =>
  JSON.stringify({ type: "headlines", epoch: "e1", seq, headlines: list });
const change = (prev: number, h: Headline, resumed?: true) =>
  JSON.stringify({ type: "headline", ...h, seq: prev + 1, prev, ...(resumed ? { resumed } : {}) });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function start() {
  const fake = createFakeWebSocket();
  const ticker = subscribeTicker({
    baseUrl: "https://crease.example",
    WebSocket: fake.WebSocket,
    heartbeatIntervalMs: 1000,
    heartbeatTimeoutMs: 2500,
    backoff: { baseMs: 100, maxMs: 1000 },
    random: () => 0.5,
  });
  const statuses: string[] = [];
  const errors: Error[] = [];
  const updates: TickerUpdate[] = [];
  ticker.on("status", (s) => statuses.push(s));
  ticker.on("error", (e) => errors.push(e));
  ticker.on("update", (u) => updates.push(u));
  const socket = (i: number): FakeSocket => {
    const s = fake.sockets[i];
    if (!s) throw new Error(`no socket ${i}`);
    return s;
  };
  return { ticker, fake, statuses, errors, updates, socket };
}

describe("subscribeTicker", () => {
  it("opens /v1/ticker/ws with crease.v1, holds the headlines, and applies each change on top of the last", () => {
    const { ticker, socket, statuses, updates, errors } = start();
    expect(socket(0).url).toBe("wss://crease.example/v1/ticker/ws");
    expect(socket(0).protocols).toEqual(["crease.v1"]);
    socket(0).serverOpen();
    socket(0).serverSend(headlines(4, headline("m1", 10), headline("m2", 50)));
    expect(ticker.status).toBe("open");
    expect(ticker.seq).toBe(4);
    expect(ticker.headlines.map((h) => h.matchId)).toEqual(["m1", "m2"]);
    socket(0).serverSend(change(4, headline("m1", 14)));
    socket(0).serverSend(JSON.stringify({ type: "unlisted", matchId: "m2", seq: 6, prev: 5 }));
    expect(ticker.seq).toBe(6);
    expect(ticker.headlines).toEqual([headline("m1", 14)]);
    expect(updates.map((u) => [u.changed, u.removed])).toEqual([
      [["m1", "m2"], []],
      [["m1"], []],
      [[], ["m2"]],
    ]);
    // A change already held is a duplicate: ignored.
    socket(0).serverSend(change(4, headline("m1", 99)));
    expect(ticker.headlines[0]?.innings[0]?.runs).toBe(14);
    expect(statuses).toEqual(["open"]);
    expect(errors).toEqual([]);
    ticker.close();
  });

  it("asks to resume on a gap and on a malformed frame, reporting the latter, never throwing", () => {
    const { ticker, socket, errors, statuses } = start();
    socket(0).serverOpen();
    socket(0).serverSend(headlines(4, headline("m1", 10)));
    socket(0).serverSend(change(6, headline("m1", 20))); // 5 is missing
    expect(JSON.parse(socket(0).sent.at(-1) ?? "")).toEqual({ type: "resume", since: 4, epoch: "e1" });
    expect(ticker.status).toBe("resyncing");
    socket(0).serverSend(change(4, headline("m1", 12), true));
    socket(0).serverSend(JSON.stringify({ type: "resumed", epoch: "e1", seq: 5 }));
    expect(ticker.status).toBe("open");
    expect(ticker.seq).toBe(5);

    socket(0).serverSend('{"type":"headline","matchId":"m1","viewers":-1}');
    socket(0).serverSend("not json");
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/invalid frame from the ticker: unexpected ticker message: title required/),
      expect.stringMatching(/not JSON/),
    ]);
    expect(JSON.parse(socket(0).sent.at(-1) ?? "")).toEqual({ type: "resume", since: 5, epoch: "e1" });
    expect(statuses).toEqual(["open", "resyncing", "open", "resyncing"]);
    ticker.close();
  });

  it("asks once for what it missed however many bad frames come, and reconnects if no answer comes", () => {
    const { socket, fake, errors } = start();
    socket(0).serverOpen();
    socket(0).serverSend(headlines(4, headline("m1", 10)));
    for (let i = 0; i < 10; i++) socket(0).serverSend('{"type":"headline"}');
    expect(errors).toHaveLength(10);
    // One resume (10 of the socket's 60 meter tokens), not ten (the seventh would be a 1008).
    expect(socket(0).sent.filter((f) => f.includes('"resume"'))).toHaveLength(1);
    vi.advanceTimersByTime(2500); // the sync deadline
    expect(socket(0).clientClose?.code).toBe(4000);
    vi.advanceTimersByTime(100);
    expect(fake.sockets[1]?.url).toBe("wss://crease.example/v1/ticker/ws?since=4&epoch=e1");
  });

  it("reconnects after a drop with full jitter, resuming from the position held", () => {
    const { ticker, socket, fake, statuses } = start();
    socket(0).serverOpen();
    socket(0).serverSend(headlines(7, headline("m1", 10)));
    socket(0).serverClose(1012, "restart");
    expect(ticker.status).toBe("reconnecting");
    // attempt 0: uniform in [0, 100) with random 0.5 → 50 ms.
    vi.advanceTimersByTime(49);
    expect(fake.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(socket(1).url).toBe("wss://crease.example/v1/ticker/ws?since=7&epoch=e1");
    socket(1).serverOpen();
    socket(1).serverSend(change(7, headline("m1", 16), true));
    socket(1).serverSend(JSON.stringify({ type: "resumed", epoch: "e1", seq: 8 }));
    expect(ticker.headlines[0]?.innings[0]?.runs).toBe(16);
    expect(statuses).toEqual(["open", "reconnecting", "open"]);
    ticker.close();
  });

  it("honours the server's retry hint before coming back after 1013", () => {
    const { socket, fake } = start();
    socket(0).serverOpen();
    socket(0).serverSend(JSON.stringify({ type: "retry", afterMs: 3000, reason: "ticker busy" }));
    socket(0).serverClose(1013, "ticker busy");
    vi.advanceTimersByTime(2999);
    expect(fake.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fake.sockets).toHaveLength(2);
  });

  it("pings every interval and gives up on a silent connection (4000), then reconnects", () => {
    const { socket, fake } = start();
    socket(0).serverOpen();
    socket(0).serverSend(headlines(1));
    vi.advanceTimersByTime(1000);
    expect(socket(0).sent).toContain(HEARTBEAT_PING);
    vi.advanceTimersByTime(1500); // 2.5 s without a frame
    expect(socket(0).clientClose?.code).toBe(4000);
    vi.advanceTimersByTime(100);
    expect(fake.sockets).toHaveLength(2);
  });

  it("stops for good on a close that forbids reconnecting", () => {
    const { ticker, socket, errors, fake } = start();
    socket(0).serverOpen();
    socket(0).serverClose(1008, "rate limited");
    expect(ticker.status).toBe("closed");
    expect(errors[0]).toBeInstanceOf(ServerClosedError);
    vi.advanceTimersByTime(60_000);
    expect(fake.sockets).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
