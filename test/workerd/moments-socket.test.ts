import { afterAll, describe, expect, it } from "vitest";
import { until as untilWithin } from "../support/time.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

const until = (predicate: () => boolean, what: string) => untilWithin(predicate, 10_000, what, undefined, 10);

afterAll(() => settleObjects(), 30_000);

interface Frame {
  type: string;
  seq?: number;
  moment?: { id: string; seq: number; kind: string };
}

/** A raw socket keeping every frame it gets, parsed. */
async function open(path: string): Promise<{ frames: Frame[]; close(): Promise<void> }> {
  const res = await worker(path, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": "crease.v1" },
  });
  const socket = res.webSocket;
  if (!socket) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  socket.accept();
  const frames: Frame[] = [];
  socket.addEventListener("message", (event) => frames.push(JSON.parse(String(event.data)) as Frame));
  return {
    frames,
    async close() {
      const closed = new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }));
      socket.close(1000, "done");
      await closed;
    },
  };
}

describe("moments on the match socket (?moments=1)", () => {
  it("sends each moment right after the version that made it, to the sockets that asked only", async () => {
    const matchId = "moments-socket";
    const events = fixtureEvents("1216517", matchId).slice(0, 90);
    await ingestEvents(events.slice(0, 3));
    const asked = await open(`/v1/matches/${matchId}/ws?region=weur&moments=1`);
    const plain = await open(`/v1/matches/${matchId}/ws?region=weur`);
    await until(() => asked.frames.length > 0 && plain.frames.length > 0, "the snapshots");
    for (let i = 3; i < 90; i += 3) await ingestEvents(events.slice(i, i + 3));
    await until(() => asked.frames.some((f) => f.type === "patch" && f.seq === 90), "the last version");

    const page = (await (await worker(`/v1/matches/${matchId}/moments?after=3`)).json()) as {
      moments: { id: string; seq: number }[];
    };
    await until(
      () => asked.frames.filter((f) => f.type === "moment").length >= page.moments.length,
      `moments (${asked.frames.filter((f) => f.type === "moment").length} of ${page.moments.length}; frames ${asked.frames
        .map((f) => f.type)
        .join(",")
        .slice(0, 300)})`,
    );
    const sent = asked.frames.filter((f) => f.type === "moment").map((f) => f.moment?.id);
    expect(page.moments.length).toBeGreaterThan(5); // fours, sixes, overs, wickets in 15 overs
    expect(sent).toEqual(page.moments.map((m) => m.id));
    // Each moment after the version that made it: the state a viewer holds already shows it.
    let held = 0;
    for (const frame of asked.frames) {
      if (frame.type === "patch" || frame.type === "snapshot") held = frame.seq ?? held;
      if (frame.type === "moment") expect(frame.moment?.seq).toBeLessThanOrEqual(held);
    }
    expect(plain.frames.filter((f) => f.type === "moment")).toEqual([]);
    await Promise.all([asked.close(), plain.close()]);
  });

  it("refuses a moments value other than 0 or 1 with a 400 naming it", async () => {
    await ingestEvents(fixtureEvents("1216517", "moments-socket-bad").slice(0, 1));
    const res = await worker("/v1/matches/moments-socket-bad/ws?moments=yes", {
      headers: { upgrade: "websocket" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_moments");
  });
});
