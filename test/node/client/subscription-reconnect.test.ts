import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { ServerClosedError, type Subscription, subscribe } from "../../../client/index.ts";
import { CLOSE_CODES, HEARTBEAT_PING } from "../../../protocol/live-messages.ts";
import { sleep } from "../../support/time.ts";
import { TestRoom, type TestRoomOptions } from "./support/test-room.ts";

const rooms: TestRoom[] = [];
const clients: Subscription<unknown>[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(rooms.splice(0).map((room) => room.close()));
});

async function startRoom(options: Partial<TestRoomOptions> = {}): Promise<TestRoom> {
  const room = await TestRoom.start({ matchId: "m1", ...options });
  rooms.push(room);
  return room;
}

function connect(
  room: TestRoom,
  options: { heartbeatIntervalMs?: number; heartbeatTimeoutMs?: number } = {},
) {
  const client = subscribe({
    baseUrl: room.baseUrl,
    matchId: "m1",
    WebSocket,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 2000,
    backoff: { baseMs: 40, maxMs: 200 },
  });
  clients.push(client);
  const statuses: string[] = [];
  const errors: Error[] = [];
  client.on("status", (s) => statuses.push(s));
  client.on("error", (e) => errors.push(e));
  return { client, statuses, errors };
}

describe("reconnecting", () => {
  it("comes back after the server drops it, resuming from the held seq and epoch", async () => {
    const room = await startRoom();
    const { client, statuses, errors } = connect(room);
    await vi.waitFor(() => expect(client.status).toBe("open"));
    room.publish([{ op: "replace", path: "/runs", value: 4 }]);
    room.publish([{ op: "replace", path: "/runs", value: 8 }]);
    await vi.waitFor(() => expect(client.seq).toBe(2));

    room.dropAll(CLOSE_CODES.serviceRestart);
    // Published while the client is away (its socket is closing): the resume must bring it.
    room.publish([{ op: "replace", path: "/wickets", value: 1 }]);
    await vi.waitFor(() => expect(room.connections).toHaveLength(2));
    const second = room.connection(1).url.searchParams;
    expect(second.get("since")).toBe("2");
    expect(second.get("epoch")).toBe("epoch-1");
    await vi.waitFor(() => expect(statuses).toEqual(["open", "reconnecting", "open"]));

    expect(client.seq).toBe(3);
    expect(client.state).toEqual(room.state);
    expect(statuses).toEqual(["open", "reconnecting", "open"]);
    expect(errors).toEqual([]);
  });

  it("gives up on a silent server within the heartbeat timeout, pinging meanwhile", async () => {
    const room = await startRoom({ behaviour: "silent" });
    const { client, errors } = connect(room, { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 150 });
    await vi.waitFor(() => expect(room.connections).toHaveLength(2), { timeout: 2000 });

    const [first, second] = [room.connection(0), room.connection(1)];
    // Dead after 150 ms of silence, then a jittered wait of at most 40 ms (attempt 0).
    const gap = second.at - first.at;
    expect(gap).toBeGreaterThanOrEqual(140);
    expect(gap).toBeLessThan(150 + 40 + 150);
    expect(first.frames).toContain(HEARTBEAT_PING);
    await vi.waitFor(() => expect(first.closed?.code).toBe(4000));
    expect(client.status).toBe("reconnecting");
    expect(errors).toEqual([]);
    expect(room.violations).toEqual([]);
  });

  it("waits at least the server's retry hint before coming back", async () => {
    const room = await startRoom();
    const { client } = connect(room);
    await vi.waitFor(() => expect(client.status).toBe("open"));

    const droppedAt = performance.now();
    room.broadcast({ type: "retry", afterMs: 300, reason: "overloaded" });
    room.dropAll(CLOSE_CODES.tryAgainLater, "overloaded");
    await vi.waitFor(() => expect(room.connections).toHaveLength(2), { timeout: 2000 });

    // Without the hint the wait would be at most 40 ms.
    expect(room.connection(1).at - droppedAt).toBeGreaterThanOrEqual(295);
    await vi.waitFor(() => expect(client.status).toBe("open"));
  });

  it("stops for good on a final close code", async () => {
    const room = await startRoom();
    const { client, statuses, errors } = connect(room);
    await vi.waitFor(() => expect(client.status).toBe("open"));

    room.dropAll(CLOSE_CODES.policyViolation, "no");
    await vi.waitFor(() => expect(client.status).toBe("closed"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ServerClosedError);
    expect(errors[0]).toMatchObject({ code: 1008, reason: "no" });
    await sleep(300);
    expect(room.connections).toHaveLength(1);
    expect(statuses).toEqual(["open", "closed"]);
  });

  it("close() stops everything: the socket closes normally and nothing reconnects", async () => {
    const room = await startRoom();
    const { client, statuses } = connect(room, { heartbeatIntervalMs: 20, heartbeatTimeoutMs: 100 });
    await vi.waitFor(() => expect(client.status).toBe("open"));

    client.close();
    expect(client.status).toBe("closed");
    await vi.waitFor(() => expect(room.connection(0).closed?.code).toBe(1000));
    const framesAtClose = room.connection(0).frames.length;
    await sleep(300);
    expect(room.connections).toHaveLength(1);
    expect(room.connection(0).frames).toHaveLength(framesAtClose);
    expect(statuses).toEqual(["open", "closed"]);
  });

  it("close() during the backoff wait (from a status listener) cancels the pending reconnect", async () => {
    const room = await startRoom();
    const { client, statuses } = connect(room);
    await vi.waitFor(() => expect(client.status).toBe("open"));
    client.on("status", (status) => {
      if (status === "reconnecting") client.close();
    });
    room.dropAll(CLOSE_CODES.goingAway);
    await vi.waitFor(() => expect(client.status).toBe("closed"));
    await sleep(300);
    expect(room.connections).toHaveLength(1);
    expect(statuses).toEqual(["open", "reconnecting", "closed"]);
  });

  it("sends a private match's token as a second subprotocol, region in the query", async () => {
    const room = await startRoom();
    const client = subscribe({
      baseUrl: room.baseUrl,
      matchId: "m1",
      WebSocket,
      token: "s3cr3t",
      region: "weur",
    });
    clients.push(client);
    await vi.waitFor(() => expect(client.status).toBe("open"));
    const request = room.connection(0).socket;
    expect(request.protocol).toBe("crease.v1");
    expect(room.connection(0).url.pathname).toBe("/v1/matches/m1/ws");
    expect(room.connection(0).url.searchParams.get("region")).toBe("weur");
  });
});
