import { afterAll, describe, expect, it } from "vitest";
import { parseServerMessage } from "../../protocol/live-wire.ts";
import type { MatchState, ProviderEvent } from "../../scoring/index.ts";
import { replay } from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// Every room quiet (its last viewer gone, the tree left) before the runtime is torn down.
afterAll(() => settleObjects(), 30_000);

/**
 * What a viewer downloads to join (issue 13): every byte its socket receives until its view is
 * ready, for a T20 in its 15th over and a Test on day 4, as the client library connects
 * (`snapshot=gzip`). The whole state arrives (ball by ball, fall of wickets, the worm and
 * manhattan's overs: everything the scoreboard shows), gzipped once per version by the room.
 */
const GOALS = { t20: 8_000, test: 25_000 };

/** The events up to the first point where `reached` holds of the state. */
function eventsUntil(events: ProviderEvent[], reached: (legalBalls: number[]) => boolean): ProviderEvent[] {
  let state: MatchState | undefined;
  for (let n = 1; n <= events.length; n++) {
    state = replay(events.slice(n - 1, n), state);
    if (reached(state.innings.map((i) => i.legalBalls))) return events.slice(0, n);
  }
  throw new Error("the match never got there");
}

async function ingestAll(events: ProviderEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) await ingestEvents(events.slice(i, i + 500));
}

/** Bytes until the first frame (the snapshot) is whole, and that snapshot, inflated and parsed. */
async function join(matchId: string, query: string): Promise<{ bytes: number; seq: number; balls: number }> {
  const res = await worker(`/v1/matches/${matchId}/ws?region=weur${query}`, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": "crease.v1" },
  });
  const socket = res.webSocket;
  if (!socket) throw new Error(`no WebSocket: ${res.status}`);
  socket.accept();
  const data = await new Promise<unknown>((resolve) =>
    socket.addEventListener("message", (event) => resolve(event.data), { once: true }),
  );
  const closed = new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }));
  socket.close(1000, "done");
  await closed;
  const first =
    typeof data === "string" ? data : new Uint8Array(await new Response(data as BodyInit).arrayBuffer());
  const bytes = typeof first === "string" ? new TextEncoder().encode(first).byteLength : first.byteLength;
  const text =
    typeof first === "string"
      ? first
      : await new Response(new Blob([first]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  const parsed = parseServerMessage(text);
  if (!parsed.ok || parsed.message.type !== "snapshot")
    throw new Error(`not a snapshot: ${text.slice(0, 100)}`);
  const state = parsed.message.state as { innings: { balls: unknown[] }[] };
  return { bytes, seq: parsed.message.seq, balls: state.innings.reduce((n, i) => n + i.balls.length, 0) };
}

describe("bytes per join", () => {
  it("a T20 in its 15th over: within 8 KB, every ball of the match included", async () => {
    // The chase's 15th over: the bigger of the two innings' 15th overs to join in.
    const events = eventsUntil(
      fixtureEvents("1175359", "join-t20"),
      (balls) => (balls[1] ?? 0) >= 14 * 6 + 1,
    );
    await ingestAll(events);
    const gzip = await join("join-t20", "&snapshot=gzip");
    const json = await join("join-t20", "");
    console.log(`T20, 15th over: ${gzip.bytes} bytes gzipped, ${json.bytes} as JSON text`);
    expect(gzip.seq).toBe(events.length);
    expect(gzip.balls).toBe(json.balls);
    expect(gzip.balls).toBeGreaterThan(200);
    expect(gzip.bytes).toBeLessThanOrEqual(GOALS.t20);
  });

  it("a Test on day 4 (315 overs bowled): within 25 KB", { timeout: 120_000 }, async () => {
    const events = eventsUntil(
      fixtureEvents("1122725", "join-test"),
      (balls) => balls.reduce((n, b) => n + b, 0) >= 315 * 6,
    );
    await ingestAll(events);
    const gzip = await join("join-test", "&snapshot=gzip");
    const json = await join("join-test", "");
    console.log(`Test, day 4: ${gzip.bytes} bytes gzipped, ${json.bytes} as JSON text`);
    expect(gzip.seq).toBe(events.length);
    expect(gzip.balls).toBe(json.balls);
    expect(gzip.bytes).toBeLessThanOrEqual(GOALS.test);
  });
});
