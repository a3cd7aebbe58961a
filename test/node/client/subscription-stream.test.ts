import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { ACK_EVERY_PATCHES } from "../../../client/ack-policy.ts";
import { type Subscription, subscribe, type UpdateEvent } from "../../../client/index.ts";
import { TestRoom } from "./support/test-room.ts";

interface Score {
  runs: number;
  wickets: number;
  balls: number[];
}

const rooms: TestRoom[] = [];
const clients: Subscription<Score>[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(rooms.splice(0).map((room) => room.close()));
});

async function setup(): Promise<{
  room: TestRoom;
  client: Subscription<Score>;
  updates: UpdateEvent<Score>[];
  errors: Error[];
}> {
  const room = await TestRoom.start({ matchId: "m1" });
  rooms.push(room);
  const client = subscribe<Score>({
    baseUrl: room.baseUrl,
    matchId: "m1",
    WebSocket,
    heartbeatIntervalMs: 1000,
  });
  clients.push(client);
  const updates: UpdateEvent<Score>[] = [];
  const errors: Error[] = [];
  client.on("update", (u) => updates.push(u));
  client.on("error", (e) => errors.push(e));
  await vi.waitFor(() => expect(client.status).toBe("open"));
  return { room, client, updates, errors };
}

function ball(runs: number, seq: number) {
  return [
    { op: "replace" as const, path: "/runs", value: runs },
    { op: "add" as const, path: "/balls/-", value: seq },
  ];
}

describe("a subscription following one match", () => {
  it("asks for gzipped snapshots, inflates one, and applies the patches right behind it in order", async () => {
    const room = await TestRoom.start({ matchId: "m1", state: { runs: 0, wickets: 0, balls: [] } });
    rooms.push(room);
    for (let i = 1; i <= 5; i++) room.publish(ball(i, i));
    const client = subscribe<Score>({ baseUrl: room.baseUrl, matchId: "m1", WebSocket });
    clients.push(client);
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    // Patches sent straight after the binary snapshot, while the client is still inflating it.
    await vi.waitFor(() => expect(room.connections).toHaveLength(1));
    for (let i = 6; i <= 10; i++) room.publish(ball(i, i));
    await vi.waitFor(() => expect(client.seq).toBe(10));
    expect(room.connection(0).url.searchParams.get("snapshot")).toBe("gzip");
    expect(client.state).toEqual(room.state);
    expect(errors).toEqual([]);
  });

  it("applies the snapshot then each patch once, ending equal to the server's state", async () => {
    const { room, client, updates, errors } = await setup();
    expect(client.seq).toBe(0);
    expect(client.epoch).toBe("epoch-1");
    expect(room.connection(0).protocols).toEqual(["crease.v1"]);
    for (let i = 1; i <= 30; i++) room.publish(ball(i * 3, i));
    await vi.waitFor(() => expect(client.seq).toBe(30));

    expect(client.state).toEqual(room.state);
    expect(JSON.stringify(client.state)).toBe(JSON.stringify(room.state));
    expect(updates.map((u) => [u.prev, u.seq])).toEqual([
      [null, 0],
      ...Array.from({ length: 30 }, (_, i) => [i, i + 1]),
    ]);
    // Each update carries its own version, untouched by the ones after it.
    expect(updates[5]?.state.balls).toEqual([1, 2, 3, 4, 5]);
    expect(client.lastUpdateAt).not.toBeNull();
    expect(errors).toEqual([]);
    expect(room.violations).toEqual([]);
  });

  it("acknowledges the newest seq after every 20 patches", async () => {
    const { room, client } = await setup();
    for (let i = 1; i <= ACK_EVERY_PATCHES; i++) room.publish(ball(i, i));
    await vi.waitFor(() => expect(client.seq).toBe(ACK_EVERY_PATCHES));
    const connection = room.connection(0);
    await vi.waitFor(() =>
      expect(TestRoom.sent(connection, "ping")).toContainEqual({ type: "ping", seq: 20 }),
    );
  });

  it("ignores a duplicate patch", async () => {
    const { room, client, updates, errors } = await setup();
    const first = room.publish(ball(4, 1));
    room.publish(ball(10, 2));
    await vi.waitFor(() => expect(client.seq).toBe(2));
    room.broadcast(first);
    room.broadcast({ type: "pong" });
    await vi.waitFor(() => expect(client.lastMessageAt).not.toBeNull());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(updates).toHaveLength(3);
    expect(client.state).toEqual(room.state);
    expect(errors).toEqual([]);
    expect(TestRoom.sent(room.connection(0), "resume")).toEqual([]);
  });

  it("resumes over the open socket after a gap, and applies the replay", async () => {
    const { room, client, updates } = await setup();
    const statuses: string[] = [];
    client.on("status", (s) => statuses.push(s));
    room.publish(ball(1, 1));
    room.publish(ball(2, 2), () => false); // lost on the way
    room.publish(ball(3, 3));
    await vi.waitFor(() => expect(client.seq).toBe(3));

    const connection = room.connection(0);
    expect(TestRoom.sent(connection, "resume")).toEqual([{ type: "resume", since: 1, epoch: "epoch-1" }]);
    expect(client.state).toEqual(room.state);
    expect(updates.map((u) => u.seq)).toEqual([0, 1, 2, 3]);
    expect(statuses).toEqual(["resyncing", "open"]);
    expect(room.connections).toHaveLength(1);
  });

  it("resumes when a presence announces a newer seq", async () => {
    const { room, client } = await setup();
    const presences: unknown[] = [];
    client.on("presence", (p) => presences.push(p));
    room.publish(ball(6, 1), () => false);
    room.broadcast({ type: "presence", matchId: "m1", seq: 1, viewers: 7 });
    await vi.waitFor(() => expect(client.seq).toBe(1));

    expect(TestRoom.sent(room.connection(0), "resume")).toEqual([
      { type: "resume", since: 0, epoch: "epoch-1" },
    ]);
    expect(client.state).toEqual(room.state);
    expect(presences[0]).toEqual({ viewers: 7, seq: 1, stale: false });
    expect(client.viewers).toBe(1); // from the presence that closed the resume
  });

  it("reports a patch that does not apply, then resyncs to the real one", async () => {
    const { room, client, errors, updates } = await setup();
    const real = room.publish(ball(4, 1), () => false);
    room.broadcast({ ...real, ops: [{ op: "test", path: "/runs", value: 999 }] });
    await vi.waitFor(() => expect(client.seq).toBe(1));

    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/patch 0→1 did not apply/);
    expect(client.state).toEqual(room.state);
    expect(updates.map((u) => u.seq)).toEqual([0, 1]);
  });

  it("reports a bad frame and resyncs; reports a frame for another match and ignores it", async () => {
    const { room, client, errors } = await setup();
    room.publish(ball(1, 1), () => false);
    room.connection(0).socket.send("{not json");
    await vi.waitFor(() => expect(client.seq).toBe(1));
    expect(errors[0]?.message).toMatch(/not JSON/);

    room.broadcast({ type: "patch", matchId: "other", seq: 2, prev: 1, ops: [] });
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(errors[1]?.message).toMatch(/match other/);
    expect(client.seq).toBe(1);
    expect(client.status).toBe("open");
  });
});
