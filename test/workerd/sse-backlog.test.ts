import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/crease-config.ts";
import { roomStub } from "../../rpc/room.ts";
import { sleep, until } from "../support/time.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

// The bridge's bound on a reader's unread backlog, at its defaults (STREAM_MAX_QUEUED_MESSAGES,
// STREAM_MAX_QUEUED_BYTES): 500 messages or 1 MiB, whichever comes first.
const { maxMessages } = parseConfig({}).viewers.stream;

interface SseEvent {
  id?: string;
  event?: string;
  retry?: string;
  data?: string;
}

/** Every event of a stream that has ended (or until `timeoutMs`), each block's fields by name. */
async function readAll(
  body: ReadableStream<Uint8Array>,
  timeoutMs = 20_000,
): Promise<{ events: SseEvent[]; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  while (Date.now() < deadline) {
    const next = await Promise.race([reader.read(), sleep(deadline - Date.now()).then(() => null)]);
    if (next === null) break;
    if (next.done) {
      ended = true;
      break;
    }
    text += decoder.decode(next.value, { stream: true });
  }
  if (!ended) await reader.cancel();
  const events = text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) =>
      Object.fromEntries(
        block
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
      ),
    );
  return { events, ended };
}

// One version per event, a few more than the bound: a reader coming back from Last-Event-ID 1
// is replayed them all at once, from the ledger's log (the room's ring holds 8 in tests).
const MATCH = "sse-backlog";
const VERSIONS = maxMessages + 30;

beforeAll(async () => {
  for (const e of fixtureEvents("1144530", MATCH).slice(0, VERSIONS)) await ingestEvents([e]);
}, 120_000);

describe("the SSE bridge bounds each reader's backlog", () => {
  it("cuts a reader that never reads: its unread events, then a final retry event, then the end; the room socket is closed", async () => {
    const room = roomStub(env, MATCH, "afr", 0);
    const res = await worker(`/v1/matches/${MATCH}/stream?region=afr`, { headers: { "last-event-id": "1" } });
    expect(res.status).toBe(200);
    // Nobody reads the body while the replay (more events than the bound) arrives.
    await sleep(300);
    for (let i = 0; i < 100 && (await room.stats()).sockets > 0; i++) await sleep(50);
    expect((await room.stats()).sockets).toBe(0);

    // What the reader finds when it finally reads: the bound's worth, then `retry`, then the end.
    const body = res.body;
    if (!body) throw new Error("no body");
    const { events, ended } = await readAll(body);
    expect(ended).toBe(true);
    const last = events.at(-1);
    expect(last?.event).toBe("retry");
    expect(Number(last?.retry)).toBeGreaterThan(0);
    expect(JSON.parse(last?.data ?? "{}")).toMatchObject({ type: "retry", reason: "too slow: reconnect" });
    const patches = events.filter((e) => e.event === "patch");
    expect(patches.length).toBeGreaterThan(0);
    expect(patches.length).toBeLessThanOrEqual(maxMessages);
    // Nothing it was sent was dropped on the way: it resumes from the last id with Last-Event-ID.
    expect(patches.map((e) => Number(e.id))).toEqual(patches.map((_, i) => i + 2));
  });

  it("never cuts a reader that keeps reading, through the same replay", async () => {
    const room = roomStub(env, MATCH, "oc", 0);
    const res = await worker(`/v1/matches/${MATCH}/stream?region=oc`, { headers: { "last-event-id": "1" } });
    const body = res.body;
    if (!body) throw new Error("no body");
    const { events, ended } = await readAll(body, 4000);
    expect(ended).toBe(false); // still open when the test stopped reading
    expect(events.some((e) => e.event === "retry")).toBe(false);
    const patches = events.filter((e) => e.event === "patch");
    expect(patches).toHaveLength(VERSIONS - 1);
    expect(patches.at(-1)?.id).toBe(String(VERSIONS));
    // The reader left: the bridge closes its room socket, which the room sees a moment later.
    await until(async () => (await room.stats()).sockets === 0, 5000, "the bridge to close the room socket");
  });
});
