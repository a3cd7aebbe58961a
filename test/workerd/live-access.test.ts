import { afterAll, afterEach, describe, expect, it } from "vitest";
import { signViewerToken } from "../../edge/viewer-token.ts";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState, worker } from "./support/ingest.ts";
import { acceptAndClose } from "./support/raw-socket.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/** Reads Server-Sent Events from a streaming response until `done` says enough (bounded). */
async function readEvents(
  res: Response,
  done: (events: { id?: string; event: string; data: string }[]) => boolean,
  timeoutMs = 10_000,
) {
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  const events: { id?: string; event: string; data: string }[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (!done(events)) {
    if (Date.now() > deadline)
      throw new Error(`timed out; got ${events.map((e) => `${e.event}:${e.id}`).join(",")}`);
    const { value, done: ended } = await reader.read();
    if (ended) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields = Object.fromEntries(
        block
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
      );
      if (fields.event) events.push({ id: fields.id, event: fields.event, data: fields.data ?? "" });
      cut = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return events;
}

describe("Server-Sent Events", () => {
  it("streams the snapshot then patches, with id = seq", async () => {
    const matchId = "sse-basic";
    const events = fixtureEvents("1216517", matchId).slice(0, 20);
    await ingestEvents(events.slice(0, 10));
    const res = await worker(`/v1/matches/${matchId}/stream?region=weur`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reading = readEvents(res, (got) => got.some((e) => e.event === "patch" && e.id === "20"));
    await new Promise((r) => setTimeout(r, 200));
    await ingestEvents(events.slice(10, 20));
    const got = await reading;
    expect(got[0]).toMatchObject({ event: "snapshot", id: "10" });
    expect(got.filter((e) => e.event === "patch").map((e) => e.id)).toEqual(["20"]);
  });

  it("resumes from Last-Event-ID with the missed patches instead of a snapshot", async () => {
    const matchId = "sse-resume";
    const events = fixtureEvents("1216517", matchId).slice(0, 30);
    for (let i = 0; i < 30; i += 10) await ingestEvents(events.slice(i, i + 10));
    await new Promise((r) => setTimeout(r, 100));
    const res = await worker(`/v1/matches/${matchId}/stream?region=weur`, {
      headers: { "last-event-id": "10" },
    });
    const got = await readEvents(res, (list) => list.some((e) => e.id === "30"));
    expect(got.some((e) => e.event === "snapshot")).toBe(false);
    expect(got.filter((e) => e.event === "patch").map((e) => e.id)).toEqual(["20", "30"]);
    expect(JSON.parse(got[0]?.data ?? "{}")).toMatchObject({ prev: 10, resumed: true });
    expect((await matchState(matchId)).seq).toBe(30);
  });
});

describe("compression", () => {
  it("does not negotiate permessage-deflate even when the client offers it", async () => {
    await ingestEvents(fixtureEvents("1216517", "no-deflate").slice(0, 1));
    const res = await worker("/v1/matches/no-deflate/ws?region=weur", {
      headers: {
        upgrade: "websocket",
        "sec-websocket-extensions": "permessage-deflate; client_max_window_bits",
      },
    });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-extensions")).toBeNull();
    await acceptAndClose(res.webSocket);
  });
});

describe("who may open the feed", () => {
  it("refuses a WebSocket from an Origin that is not allowed", async () => {
    await ingestEvents(fixtureEvents("1216517", "origin-test").slice(0, 1));
    const res = await worker("/v1/matches/origin-test/ws?region=weur", {
      headers: { upgrade: "websocket", origin: "http://evil.test" },
    });
    expect(res.status).toBe(403);
    const ok = await worker("/v1/matches/origin-test/ws?region=weur", {
      headers: { upgrade: "websocket", origin: "http://allowed.test" },
    });
    expect(ok.status).toBe(101);
    await acceptAndClose(ok.webSocket);
    // The deployment's own pages (same origin) and non-browser clients (no Origin) need no listing.
    for (const origin of ["http://crease.test", undefined]) {
      const res = await worker("/v1/matches/origin-test/ws?region=weur", {
        headers: { upgrade: "websocket", ...(origin ? { origin } : {}) },
      });
      expect(res.status, String(origin)).toBe(101);
      await acceptAndClose(res.webSocket);
    }
  });

  it("takes a private match's token as a subprotocol, and closes 4001 without a valid one", async () => {
    const matchId = "private-final";
    await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 3));
    const token = await signViewerToken("test-viewer-secret", matchId, Math.floor(Date.now() / 1000) + 60);
    const allowed = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`, {
      protocols: `crease.v1, crease.token.${token}`,
    });
    await allowed.waitForSeq(3);

    const wrong = await signViewerToken(
      "test-viewer-secret",
      "private-other",
      Math.floor(Date.now() / 1000) + 60,
    );
    for (const protocols of [
      "crease.v1",
      `crease.v1, crease.token.${wrong}`,
      "crease.v1, crease.token.123.abc",
    ]) {
      const refused = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`, { protocols });
      await refused.waitFor(() => refused.closed !== null, "close");
      expect(refused.closed?.code).toBe(CLOSE_CODES.unauthorized);
      expect(refused.seq).toBeNull();
    }
    expect((await worker(`/v1/matches/${matchId}/stream?region=weur`)).status).toBe(401);
  });
});
