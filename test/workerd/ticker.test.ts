import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { AdmissionBucket } from "../../edge/admission.ts";
import type { MatchSummary } from "../../protocol/admin-types.ts";
import {
  type Headline,
  parseTickerMessage,
  type TickerEntry,
  type TickerServerMessage,
} from "../../protocol/ticker.ts";
import { tickerRoomName } from "../../rpc/ticker-room.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

/** TICKER_MIN_INTERVAL_MS in this tier (vitest.config.ts). */
const INTERVAL_MS = 300;

/** A raw ticker socket: every frame recorded with its arrival time, headlines applied strictly (prev must match). */
class TickerViewer {
  static open: TickerViewer[] = [];
  readonly frames: { at: number; message: TickerServerMessage }[] = [];
  readonly headlines = new Map<string, Headline>();
  epoch: string | null = null;
  seq: number | null = null;
  errors: string[] = [];
  closed = false;
  private socket: WebSocket | null = null;

  closeCode: number | null = null;

  static async connect(query = "region=weur", headers: Record<string, string> = {}): Promise<TickerViewer> {
    const res = await worker(`/v1/ticker/ws?${query}`, {
      headers: { ...headers, upgrade: "websocket", "sec-websocket-protocol": "crease.v1" },
    });
    const socket = res.webSocket;
    if (!socket) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
    expect(res.headers.get("sec-websocket-protocol")).toBe("crease.v1");
    socket.accept();
    const viewer = new TickerViewer();
    viewer.socket = socket;
    TickerViewer.open.push(viewer);
    socket.addEventListener("message", (event) => viewer.onFrame(String(event.data)));
    socket.addEventListener("close", (event) => {
      viewer.closed = true;
      viewer.closeCode = event.code;
    });
    return viewer;
  }

  private onFrame(frame: string): void {
    const parsed = parseTickerMessage(frame);
    if (!parsed.ok) return void this.errors.push(parsed.reason);
    const message = parsed.message;
    this.frames.push({ at: Date.now(), message });
    if (message.type === "headlines") {
      this.headlines.clear();
      for (const h of message.headlines) this.headlines.set(h.matchId, h);
      this.epoch = message.epoch;
      this.seq = message.seq;
    } else if (message.type === "headline" || message.type === "unlisted") {
      if (message.prev !== this.seq)
        return void this.errors.push(`${message.prev}->${message.seq} on ${this.seq}`);
      if (message.type === "headline") {
        const { type: _t, seq: _v, prev: _p, resumed: _r, ...headline } = message;
        this.headlines.set(message.matchId, headline);
      } else this.headlines.delete(message.matchId);
      this.seq = message.seq;
    }
  }

  /** The headline frames (changes) for one match, in arrival order. */
  changesOf(matchId: string) {
    return this.frames.filter((f) => f.message.type === "headline" && f.message.matchId === matchId);
  }

  close(): void {
    if (!this.closed) this.socket?.close(1000, "done");
  }

  send(frame: string): void {
    this.socket?.send(frame);
  }

  async until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; errors: ${this.errors.join("; ")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Reads an SSE response until `marker` appears (bounded), then lets it go. */
async function readEvents(res: Response, marker: string): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) throw new Error(`no body: ${res.status}`);
  let text = "";
  const deadline = Date.now() + 5000;
  while (!text.includes(marker) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text;
}

async function listed(matchId: string): Promise<MatchSummary> {
  const body = (await (await worker("/v1/matches")).json()) as { matches: MatchSummary[] };
  const line = body.matches.find((m) => m.matchId === matchId);
  if (!line) throw new Error(`${matchId} is not listed`);
  return line;
}

/** The ticker has caught up with the directory: same score lines, status and result. */
function agrees(h: Headline | undefined, line: MatchSummary): boolean {
  return (
    h !== undefined &&
    h.status === line.status &&
    h.result === line.result &&
    JSON.stringify(h.innings) === JSON.stringify(line.innings)
  );
}

afterAll(async () => {
  for (const v of TickerViewer.open) v.close();
  await new Promise((r) => setTimeout(r, 200));
  await settleObjects();
  // Ticker rooms leave the tree at the tick after their last socket; wait for that, bounded.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids = await listDurableObjectIds(env.TICKER_ROOM);
    const alarms = await Promise.all(
      ids.map((id) =>
        runInDurableObject(env.TICKER_ROOM.get(id), (_room, state) => state.storage.getAlarm()),
      ),
    );
    if (alarms.every((a) => a === null) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

describe("the ticker", () => {
  it("starts with every public headline, never a private match, then one update per change", async () => {
    const pub = fixtureEvents("1175359", "tick-public");
    const secret = fixtureEvents("1175359", "private-tick");
    await ingestEvents(pub.slice(0, 12));
    // Stored and applied like any match: only the ticker leaves it out.
    expect((await ingestEvents(secret.slice(0, 12))).ok).toBe(true);
    // Let the first headline go out before the viewer connects.
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 100));
    const viewer = await TickerViewer.connect();
    await viewer.until(() => viewer.seq !== null, "the headlines frame");
    const first = viewer.frames[0]?.message;
    expect(first?.type).toBe("headlines");
    const listed12 = await listed("tick-public");
    await viewer.until(() => agrees(viewer.headlines.get("tick-public"), listed12), "tick-public at 12");
    const h = viewer.headlines.get("tick-public");
    expect(h).toMatchObject({ title: listed12.title, teams: listed12.teams, status: "live" });
    expect(h?.innings[0]?.team).toBe("Kings XI Punjab");

    // Batches further apart than the interval: each one is its own headline, in order.
    for (let i = 12; i < 36; i += 6) {
      await ingestEvents(pub.slice(i, i + 6));
      const line = await listed("tick-public");
      await viewer.until(() => agrees(viewer.headlines.get("tick-public"), line), `tick-public at ${i + 6}`);
      await new Promise((r) => setTimeout(r, INTERVAL_MS + 50));
    }
    expect(viewer.changesOf("tick-public").length).toBeGreaterThanOrEqual(4);
    expect(viewer.errors).toEqual([]);
    // Never a private match, in any frame.
    expect(JSON.stringify(viewer.frames)).not.toContain("private-tick");
  });

  it("coalesces: a burst of changes inside the interval is at most one update per interval, ending on the newest", async () => {
    const events = fixtureEvents("1384429", "tick-burst");
    await ingestEvents(events.slice(0, 6));
    const viewer = await TickerViewer.connect("region=apac");
    await viewer.until(() => viewer.headlines.has("tick-burst"), "tick-burst listed", 5000);
    const before = viewer.changesOf("tick-burst").length;
    // When the index sends each of this match's changes: the coalescing promise is about the
    // source, and arrival times at a socket add the machine's delivery jitter on top.
    const sentAt: number[] = [];
    const index = env.MATCH_INDEX.get(env.MATCH_INDEX.idFromName("all"));
    await runInDurableObject(index, (instance) => {
      const shell = instance as unknown as { publishTicker(entries: TickerEntry[]): void };
      const publish = shell.publishTicker.bind(instance);
      shell.publishTicker = (entries) => {
        if (entries.some((e) => e.kind === "headline" && e.headline.matchId === "tick-burst"))
          sentAt.push(Date.now());
        publish(entries);
      };
    });
    const started = Date.now();
    // Ten versions in quick succession (well inside a few intervals).
    for (let i = 6; i < 46; i += 4) await ingestEvents(events.slice(i, i + 4));
    const elapsed = Date.now() - started;
    const line = await listed("tick-burst");
    await viewer.until(() => agrees(viewer.headlines.get("tick-burst"), line), "the newest headline", 5000);
    const changes = viewer.changesOf("tick-burst").slice(before);
    // At most one per interval (plus the one at the burst's start and the one at its end).
    expect(changes.length).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) + 2);
    expect(changes.length).toBeLessThan(10);
    // The index sends them at least the interval apart (timers fire a few ms early or late).
    expect(sentAt.length).toBeGreaterThan(0);
    for (let k = 1; k < sentAt.length; k++) {
      const gap = (sentAt[k] ?? 0) - (sentAt[k - 1] ?? 0);
      expect(gap, "updates of one match sent closer than the interval").toBeGreaterThanOrEqual(
        INTERVAL_MS - 10,
      );
    }
    expect(viewer.errors).toEqual([]);
  });

  it("resumes with since: the changes missed, then 'resumed'; another epoch gets every headline", async () => {
    const events = fixtureEvents("1082648", "tick-resume");
    await ingestEvents(events.slice(0, 6));
    const viewer = await TickerViewer.connect();
    await viewer.until(() => viewer.headlines.has("tick-resume"), "tick-resume listed", 5000);
    const { epoch, seq } = viewer;
    const held = new Map(viewer.headlines);
    viewer.close();
    for (let i = 6; i < 18; i += 6) {
      await ingestEvents(events.slice(i, i + 6));
      await new Promise((r) => setTimeout(r, INTERVAL_MS + 50));
    }
    const line = await listed("tick-resume");

    const back = await TickerViewer.connect(`region=weur&since=${seq}&epoch=${epoch}`);
    back.epoch = epoch;
    back.seq = seq;
    for (const [id, h] of held) back.headlines.set(id, h);
    await back.until(() => back.frames.some((f) => f.message.type === "resumed"), "resumed", 5000);
    expect(back.frames.some((f) => f.message.type === "headlines")).toBe(false);
    expect(
      back.frames
        .filter((f) => f.message.type === "headline")
        .every((f) => "resumed" in f.message && f.message.resumed),
    ).toBe(true);
    await back.until(() => agrees(back.headlines.get("tick-resume"), line), "tick-resume caught up", 5000);
    expect(back.errors).toEqual([]);

    const other = await TickerViewer.connect(`region=weur&since=${seq}&epoch=another`);
    await other.until(() => other.seq !== null, "headlines", 5000);
    expect(other.frames[0]?.message.type).toBe("headlines");
  });

  it("serves the same frames as Server-Sent Events, with epoch.seq ids", async () => {
    const res = await worker("/v1/ticker/stream?region=weur");
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    while (!text.includes("event: headlines")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toMatch(/id: [0-9a-f]{12}\.\d+\nevent: headlines\ndata: \{"type":"headlines"/);
    expect(text).not.toContain("private-tick");
  });

  it("spreads a region over shards in a tree, and a room that forgets its memory keeps delivering", async () => {
    // Rooms hold 20 sockets in tests (ROOM_MAX_SOCKETS): 25 viewers make a hub with a child.
    const events = fixtureEvents("1216517", "tick-tree");
    await ingestEvents(events.slice(0, 6));
    const viewers: TickerViewer[] = [];
    for (let i = 0; i < 25; i++) viewers.push(await TickerViewer.connect("region=eeur"));
    await Promise.all(
      viewers.map((v) => v.until(() => v.headlines.has("tick-tree"), "tick-tree listed", 5000)),
    );
    const hub = env.TICKER_ROOM.get(env.TICKER_ROOM.idFromName(tickerRoomName("eeur", 0)));
    const stats = await runInDurableObject(hub, (room) =>
      (room as unknown as { stats(): Promise<{ sockets: number; children: number[] }> }).stats(),
    );
    expect(stats.sockets).toBe(20);
    expect(stats.children).toEqual([1]);

    // Hibernation erases instance fields only (the queue, the admission bucket): the headlines,
    // the ring, the children and each socket's attachment are in storage.
    for (const shard of [0, 1]) {
      const stub = env.TICKER_ROOM.get(env.TICKER_ROOM.idFromName(tickerRoomName("eeur", shard)));
      await runInDurableObject(stub, (room) => {
        (room as unknown as { queue: Promise<unknown> }).queue = Promise.resolve();
      });
    }
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 50));
    await ingestEvents(events.slice(6, 12));
    const line = await listed("tick-tree");
    await Promise.all(
      viewers.map((v) =>
        v.until(() => agrees(v.headlines.get("tick-tree"), line), "the change on every shard", 5000),
      ),
    );
    for (const v of viewers) expect(v.errors).toEqual([]);
    for (const v of viewers) v.close();
  });

  it("unlists a match an admin removes", async () => {
    await ingestEvents(fixtureEvents("1175359", "tick-removed").slice(0, 4));
    const viewer = await TickerViewer.connect();
    await viewer.until(() => viewer.headlines.has("tick-removed"), "tick-removed listed", 5000);
    const res = await worker("/v1/admin/matches/tick-removed", { method: "DELETE", headers: ADMIN });
    expect(res.status).toBe(200);
    await viewer.until(() => !viewer.headlines.has("tick-removed"), "tick-removed unlisted", 5000);
    expect(
      viewer.frames.some((f) => f.message.type === "unlisted" && f.message.matchId === "tick-removed"),
    ).toBe(true);
    expect(viewer.errors).toEqual([]);
  });

  it("refuses a foreign Origin (403) and closes a socket that floods it with resumes (1008)", async () => {
    const foreign = await worker("/v1/ticker/ws?region=weur", {
      headers: { upgrade: "websocket", origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const flooder = await TickerViewer.connect("region=weur", { origin: "http://allowed.test" });
    await flooder.until(() => flooder.seq !== null, "headlines", 5000);
    // A resume costs 10 of the bucket's 60 tokens: the seventh at once is one too many.
    for (let i = 0; i < 8; i++)
      flooder.send(JSON.stringify({ type: "resume", since: 0, epoch: flooder.epoch }));
    await flooder.until(() => flooder.closed, "the close", 5000);
    expect(flooder.closeCode).toBe(1008);
  });

  it("resumes an EventSource from its Last-Event-ID (epoch.seq)", async () => {
    await ingestEvents(fixtureEvents("1175359", "tick-sse").slice(0, 4));
    const first = await readEvents(await worker("/v1/ticker/stream?region=weur"), "event: headlines");
    const id = /id: ([0-9a-f]{12}\.\d+)\nevent: headlines/.exec(first)?.[1];
    expect(id).toBeDefined();
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 50));
    await ingestEvents(fixtureEvents("1175359", "tick-sse").slice(4, 10));
    await new Promise((r) => setTimeout(r, 200));
    const again = await readEvents(
      await worker("/v1/ticker/stream?region=weur", { headers: { "last-event-id": id ?? "" } }),
      "event: resumed",
    );
    expect(again).not.toContain("event: headlines");
    expect(again).toMatch(/event: headline\ndata: \{"type":"headline","matchId":"tick-sse"/);
  });

  it("unlists a finished match once TICKER_FINISHED_FOR_S has passed", async () => {
    const events = fixtureEvents("1175359", "tick-finished");
    await ingestEvents(events.slice(0, 150));
    await ingestEvents(events.slice(150));
    const viewer = await TickerViewer.connect();
    await viewer.until(() => viewer.headlines.get("tick-finished")?.status === "finished", "finished", 5000);
    expect(viewer.headlines.get("tick-finished")?.result).toBe("Kings XI Punjab won by 14 runs");
    expect(viewer.headlines.get("tick-finished")?.required).toBeNull();
    // The index's alarm, three hours and a second from now (the default window is 3 h).
    const index = env.MATCH_INDEX.get(env.MATCH_INDEX.idFromName("all"));
    await runInDurableObject(index, (instance) =>
      (instance as unknown as { flushTicker(now: number): Promise<void> }).flushTicker(
        Date.now() + 3 * 3600_000 + 1000,
      ),
    );
    await viewer.until(() => !viewer.headlines.has("tick-finished"), "tick-finished unlisted", 5000);
    expect(viewer.errors).toEqual([]);
  });

  it("a room that had nobody (and left the tree) answers its next viewer with the current headlines", async () => {
    const events = fixtureEvents("1187669", "tick-stale");
    await ingestEvents(events.slice(0, 6));
    const first = await TickerViewer.connect("region=sam");
    await first.until(() => first.headlines.has("tick-stale"), "tick-stale listed", 5000);
    first.close();
    // The room leaves the tree at its next tick with nobody; the index stops sending it changes.
    const hub = env.TICKER_ROOM.get(env.TICKER_ROOM.idFromName(tickerRoomName("sam", 0)));
    await first.until(() => first.closed, "closed", 5000);
    for (let i = 0; i < 50; i++) {
      const alarm = await runInDurableObject(hub, (_room, state) => state.storage.getAlarm());
      if (alarm === null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await ingestEvents(events.slice(6, 30));
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 100));
    const line = await listed("tick-stale");
    const next = await TickerViewer.connect("region=sam");
    await next.until(() => next.seq !== null, "headlines", 5000);
    expect(agrees(next.headlines.get("tick-stale"), line), "the first frame is current").toBe(true);
  });

  it("turns viewers away with a jittered retry and 1013 while its room admits too fast", async () => {
    const hub = env.TICKER_ROOM.get(env.TICKER_ROOM.idFromName(tickerRoomName("oc", 0)));
    // The room's admission bucket, emptied: one token a second, none left.
    await runInDurableObject(hub, (room) => {
      const bucket = new AdmissionBucket(1, 1, Date.now());
      bucket.tryAdmit(Date.now());
      (room as unknown as { admission: AdmissionBucket }).admission = bucket;
    });
    const refused = await TickerViewer.connect("region=oc");
    await refused.until(() => refused.closed, "the close", 5000);
    expect(refused.closeCode).toBe(1013);
    const retry = refused.frames.find((f) => f.message.type === "retry")?.message;
    expect(retry).toMatchObject({ type: "retry", reason: "ticker busy: retry later" });
    expect(retry?.type === "retry" && retry.afterMs >= 1000 && retry.afterMs < 5000).toBe(true);
  });

  it("catches up before answering a viewer that resumes from further on than its room", async () => {
    await ingestEvents(fixtureEvents("1082648", "tick-ahead").slice(0, 6));
    const viewer = await TickerViewer.connect("region=afr");
    await viewer.until(() => viewer.headlines.has("tick-ahead"), "tick-ahead listed", 5000);
    const { epoch, seq } = viewer;
    const held = new Map(viewer.headlines);
    // The room falls behind (as a shard that lost a publication would): its store says seq 0.
    // The first viewer stays, so the room is not waking up (which catches up on its own).
    const hub = env.TICKER_ROOM.get(env.TICKER_ROOM.idFromName(tickerRoomName("afr", 0)));
    await runInDurableObject(hub, (room) => {
      const store = (room as unknown as { headlines: { replace(e: string, v: number, h: Headline[]): void } })
        .headlines;
      store.replace(epoch ?? "", 0, []);
    });
    const back = await TickerViewer.connect(`region=afr&since=${seq}&epoch=${epoch}`);
    back.epoch = epoch;
    back.seq = seq;
    for (const [id, h] of held) back.headlines.set(id, h);
    await back.until(() => back.frames.some((f) => f.message.type === "resumed"), "resumed", 5000);
    // Not an older (here: empty) list: the room caught up first and replayed only what was new.
    expect(back.frames.some((f) => f.message.type === "headlines")).toBe(false);
    expect(back.errors).toEqual([]);
    const line = await listed("tick-ahead");
    await back.until(() => agrees(back.headlines.get("tick-ahead"), line), "tick-ahead current", 5000);
  });

  it("refuses a since without its epoch, and a plain GET", async () => {
    const bad = await worker("/v1/ticker/ws?since=3", { headers: { upgrade: "websocket" } });
    expect(bad.status).toBe(400);
    expect((await worker("/v1/ticker/ws")).status).toBe(426);
  });
});
