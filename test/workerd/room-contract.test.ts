import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../config/crease-config.ts";
import { roomName } from "../../edge/fanout-tree.ts";
import { FRAME_COSTS } from "../../edge/frame-meter.ts";
import { RESUME_METER_POLICY, RESUME_REFUSALS } from "../../edge/resume-meter.ts";
import { CLOSE_CODES, type ServerMessage } from "../../protocol/live-messages.ts";
import { parseServerMessage } from "../../protocol/live-wire.ts";
import { parseTickerMessage, type TickerServerMessage } from "../../protocol/ticker.ts";
import { tickerRoomName } from "../../rpc/ticker-room.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { FeedSocket, type FeedWire, type Frame } from "./support/feed-socket.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, worker } from "./support/ingest.ts";
import {
  countAttachmentReads,
  evictRoom,
  rewriteAttachments,
  settleTickerRooms,
  untilAttachment,
} from "./support/room-memory.ts";
import { settleObjects } from "./support/settle.ts";

/**
 * The room contract: every feed on the fan-out core (durable-objects/fanout-room.ts) keeps the
 * same promises to its viewers, so the same cases run against each, as Hono runs one
 * `common.case.test.ts` against each router. A feed is described by what the cases need to
 * reach it and read it; a case that applies to some feeds only says why beside its condition.
 * A case that fills a room, reads its memory or rewrites it has a region of its own (ticker
 * rooms are per region, not per match), so it never sees another case's sockets.
 */
interface Feed {
  name: string;
  /** The feed's socket route with this query (`region=…`, `since=…&epoch=…`). */
  url(query: string): string;
  /** Gives the feed state before its first case. */
  prepare(): Promise<void>;
  /** Publishes something new to the feed's viewers: at least one version. */
  advance(): Promise<void>;
  /** A private id's route, and an unknown id's of `length` characters: feeds with ids only. */
  privateUrl?(): string;
  unknownUrl?(length: number): string;
  /** The whole state: a new viewer's first frame, and the answer to a resume that cannot be honoured. */
  readsFirstFrame(frame: Frame): boolean;
  /** A change replayed in answer to a resume, and the frame that ends the answer. */
  replays(frame: Frame): boolean;
  endsResume(frame: Frame): boolean;
  /** Whether the feed's clients acknowledge what they applied (`ping` with `seq`). */
  acks: boolean;
  room(region: string, shard: number): DurableObjectStub;
  wire: FeedWire;
}

/** Ingests the next events of a match, one version of it each. */
function inTurn(events: ProviderEvent[]): (count: number) => Promise<void> {
  let next = 0;
  return async (count) => {
    const batch = events.slice(next, next + count);
    next += count;
    if (batch.length < count) throw new Error("the fixture ran out of events");
    await ingestEvents(batch);
  };
}

const MATCH = "contract-match";
const PRIVATE = "private-contract";
const matchBalls = inTurn(fixtureEvents("1216517", MATCH));
const tickerBalls = inTurn(fixtureEvents("1175359", "contract-ticker"));

const matchFeed: Feed = {
  name: "the match feed",
  url: (query) => `/v1/matches/${MATCH}/ws?${query}`,
  prepare: async () => {
    await matchBalls(5);
    await ingestEvents(fixtureEvents("1216517", PRIVATE).slice(0, 3));
  },
  // Five versions: more than ROOM_SLOW_BEHIND_VERSIONS (2) behind a reader that stopped acknowledging.
  advance: () => matchBalls(5),
  privateUrl: () => `/v1/matches/${PRIVATE}/ws?region=wnam`,
  unknownUrl: (length) => `/v1/matches/${"u".repeat(length)}/ws?region=wnam`,
  readsFirstFrame: (f) => f.type === "snapshot",
  replays: (f) => f.type === "patch" && f.resumed === true,
  endsResume: (f) => f.type === "presence" && f.resumed === true,
  acks: true,
  room: (region, shard) => env.MATCH_ROOM.get(env.MATCH_ROOM.idFromName(roomName(MATCH, region, shard))),
  wire: {
    parse: parseServerMessage,
    positionOf: (frame) => {
      const m = frame as ServerMessage; // parsed by serverMessageSchema
      if (m.type === "snapshot") return { seq: m.seq, epoch: m.epoch };
      return m.type === "patch" || m.type === "delta" ? { seq: m.seq, prev: m.prev } : null;
    },
  },
};

const tickerFeed: Feed = {
  name: "the ticker",
  url: (query) => `/v1/ticker/ws?${query}`,
  prepare: () => tickerBalls(6),
  // A few balls change the match's headline: one change of the ticker (or two, coalesced apart).
  advance: () => tickerBalls(3),
  readsFirstFrame: (f) => f.type === "headlines",
  replays: (f) => (f.type === "headline" || f.type === "unlisted") && f.resumed === true,
  endsResume: (f) => f.type === "resumed",
  // Its client (client/ticker.ts) sends plain heartbeats only.
  acks: false,
  room: (region, shard) => env.TICKER_ROOM.get(env.TICKER_ROOM.idFromName(tickerRoomName(region, shard))),
  wire: {
    parse: parseTickerMessage,
    positionOf: (frame) => {
      const m = frame as TickerServerMessage; // parsed by tickerServerMessageSchema
      if (m.type === "headlines" || m.type === "resumed") return { seq: m.seq, epoch: m.epoch };
      return m.type === "headline" || m.type === "unlisted" ? { seq: m.seq, prev: m.prev } : null;
    },
  },
};

const room = readConfig(env).room;

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error("expected a value");
  return value;
}

afterEach(() => FeedSocket.closeAll());

// No tick or publication may outlive the file.
afterAll(async () => {
  await settleObjects();
  await settleTickerRooms();
}, 60_000);

describe.each([matchFeed, tickerFeed])("the room contract: $name", (feed) => {
  beforeAll(() => feed.prepare());

  /** A viewer, once it holds the feed's state. */
  async function viewer(query: string, headers: Record<string, string> = {}): Promise<FeedSocket> {
    const socket = await FeedSocket.connect(feed.wire, feed.url(query), { headers });
    await socket.waitFor(() => socket.frames.some(feed.readsFirstFrame), `${feed.name}'s first state`);
    return socket;
  }

  /** Sends a resume from `at` and waits for its answer (or a close). */
  async function resume(socket: FeedSocket, at: { seq: number; epoch: string }): Promise<void> {
    const from = socket.frames.length;
    socket.send({ type: "resume", since: at.seq, epoch: at.epoch });
    const answered = (f: Frame) => feed.endsResume(f) || feed.readsFirstFrame(f);
    await socket.waitFor(
      () => socket.closed !== null || socket.frames.slice(from).some(answered),
      "the resume's answer or the close",
    );
  }

  describe("1008", () => {
    it.each([
      ["not JSON", "hello"],
      ["an unknown type", '{"type":"publish","seq":1}'],
    ])("closes a socket that sends %s with 1008", async (_what, frame) => {
      const socket = await viewer("region=wnam");
      socket.send(frame);
      await socket.waitFor(() => socket.closed !== null, "the close");
      expect(socket.closed?.code).toBe(CLOSE_CODES.policyViolation);
    });

    it("closes a socket that floods resumes past its frame meter with 1008 'rate limited'", async () => {
      const socket = await viewer("region=wnam");
      const at = must(socket.position);
      // ROOM_FRAME_BURST tokens, a resume costs FRAME_COSTS.resume: two more than the bucket holds.
      for (let i = 0; i < room.frameBurst / FRAME_COSTS.resume + 2; i++)
        socket.send({ type: "resume", since: at.seq, epoch: at.epoch });
      await socket.waitFor(() => socket.closed !== null, "the close", 5000);
      expect(socket.closed).toEqual({ code: CLOSE_CODES.policyViolation, reason: "rate limited" });
    });
  });

  it("1013: refuses the next viewer with a retry frame, then 1013, once every shard of a region is full", {
    timeout: 120_000,
  }, async () => {
    // ROOM_MAX_SHARDS × ROOM_MAX_SOCKETS (8 × 20 here), a room's worth at a time.
    const held: FeedSocket[] = [];
    for (let batch = 0; batch < room.maxShards; batch++)
      held.push(...(await Promise.all(Array.from({ length: room.maxSockets }, () => viewer("region=me")))));
    const refused = await FeedSocket.connect(feed.wire, feed.url("region=me"));
    await refused.waitFor(() => refused.closed !== null, "the refusal");
    expect(refused.closed?.code).toBe(CLOSE_CODES.tryAgainLater);
    expect(refused.frames).toHaveLength(1);
    expect(refused.frames[0]).toMatchObject({ type: "retry" });
    expect(refused.frames[0]?.afterMs).toBeGreaterThanOrEqual(5000);
    expect(held.filter((s) => s.closed !== null)).toEqual([]);
  });

  it("403: refuses an Origin ALLOWED_ORIGINS does not list, and lets in a listed one and a client that sends none", async () => {
    const foreign = await worker(feed.url("region=wnam"), {
      headers: { upgrade: "websocket", origin: "http://evil.test" },
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: "origin_not_allowed" } });
    await viewer("region=wnam", { origin: "http://allowed.test" });
    await viewer("region=wnam");
  });

  // The ticker has no ids of its own: one ticker carries every public match, and private
  // matches never reach it (the match index leaves them out), so it has nothing to refuse
  // with 4001 or 4004 (docs/protocol.md, "Ticker").
  // Declared only for a feed that has such ids, so no case is ever reported skipped.
  const { privateUrl, unknownUrl } = feed;
  if (privateUrl)
    it("4001: closes a private id's socket that brings no token", async () => {
      const socket = await FeedSocket.connect(feed.wire, privateUrl());
      await socket.waitFor(() => socket.closed !== null, "the close");
      expect(socket.closed?.code).toBe(CLOSE_CODES.unauthorized);
      expect(socket.frames.some(feed.readsFirstFrame)).toBe(false);
    });

  if (unknownUrl)
    it.each([12, 128])(
      "4004: closes an unknown id's socket (%i characters), its reason cut to fit a close frame",
      async (length) => {
        const socket = await FeedSocket.connect(feed.wire, unknownUrl(length));
        await socket.waitFor(() => socket.closed !== null, "the close");
        expect(socket.closed?.code).toBe(CLOSE_CODES.unknownMatch);
        expect(new TextEncoder().encode(socket.closed?.reason).length).toBeLessThanOrEqual(123);
      },
    );

  it("4009: closes a socket that sends nothing for the silence window, a retry frame first; one that pings stays", async () => {
    const silent = await viewer("region=sam");
    const pinging = await viewer("region=sam");
    // The runtime answers the plain heartbeat without waking the room, and remembers when.
    pinging.send('{"type":"ping"}');
    await pinging.waitFor(() => pinging.frames.some((f) => f.type === "pong"), "the pong");
    // ROOM_SILENT_AFTER_MS is a minute: the room's memory of both sockets moves back past it.
    const backdate = room.silentAfterMs + 1000;
    const moved = await rewriteAttachments(feed.room("sam", 0), (a) => ({
      ...a,
      joinedAt: a.joinedAt - backdate,
      heardAt: a.heardAt === null ? null : a.heardAt - backdate,
    }));
    expect(moved).toBe(2);
    await runDurableObjectAlarm(feed.room("sam", 0));
    await silent.waitFor(() => silent.closed !== null, "the silent socket's close", 3000);
    expect(silent.closed?.code).toBe(CLOSE_CODES.silent);
    expect(silent.frames.at(-1)).toMatchObject({ type: "retry" });
    expect(pinging.closed).toBeNull();
  });

  it("resume: a viewer back with since and epoch gets only what it missed, then the resume's end", async () => {
    const watcher = await viewer("region=weur");
    const leaver = await viewer("region=weur");
    const held = must(leaver.position);
    leaver.close();
    await feed.advance();
    await watcher.waitPast(held.seq);

    const back = await FeedSocket.connect(
      feed.wire,
      feed.url(`region=weur&since=${held.seq}&epoch=${held.epoch}`),
      { held },
    );
    await back.waitFor(() => back.frames.some(feed.endsResume), "the resume's end");
    const answer = back.frames.slice(0, back.frames.findIndex(feed.endsResume));
    expect(answer.length).toBeGreaterThan(0);
    expect(answer.every(feed.replays), JSON.stringify(answer.map((f) => f.type))).toBe(true);
    expect(feed.wire.positionOf(must(answer[0]))?.prev).toBe(held.seq);
    expect(back.frames.some(feed.readsFirstFrame)).toBe(false);
    await back.waitFor(() => back.position?.seq === watcher.position?.seq, "the watcher's position");
    expect(back.errors).toEqual([]);

    // Another history cannot be resumed: the whole state instead.
    const other = await FeedSocket.connect(
      feed.wire,
      feed.url(`region=weur&since=${held.seq}&epoch=elsewhere`),
    );
    await other.waitFor(() => other.frames.length > 0, "a frame");
    expect(feed.readsFirstFrame(must(other.frames[0]))).toBe(true);
  });

  describe("slow readers", () => {
    it("4008: a socket that resumes again with its answers unacknowledged past the resume meter's budget is closed, a retry frame first; one that acknowledges is answered", async () => {
      const hoarder = await viewer("region=eeur");
      const reader = await viewer("region=eeur");
      const at = must(hoarder.position);
      // 256 KiB of a ticker's few-KB answers is more resumes than the frame meter allows in a
      // test's time: both accounts start one byte short, and the room's own charge for the
      // next answer (edge/resume-meter.ts) must tip them over.
      const short = { unreadBytes: RESUME_METER_POLICY.maxUnreadBytes - 1, throughSeq: at.seq };
      const account = {
        ...short,
        tokens: RESUME_METER_POLICY.burstBytes,
        at: Date.now(),
        answeringSince: null,
      };
      expect(await rewriteAttachments(feed.room("eeur", 0), (a) => ({ ...a, resume: account }))).toBe(2);

      await resume(hoarder, at);
      expect(hoarder.closed).toBeNull(); // answered, and charged
      await resume(hoarder, at);
      expect(hoarder.closed).toEqual({ code: CLOSE_CODES.tooSlow, reason: RESUME_REFUSALS.unread });
      expect(hoarder.frames.at(-1)).toMatchObject({ type: "retry", reason: RESUME_REFUSALS.unread });

      await resume(reader, at);
      reader.send({ type: "ping", seq: must(reader.position).seq });
      // Nothing answers an acknowledgement, and the test pool's runtime has handed the room a
      // socket's next frame before the one sent ahead of it: wait until the room has taken it.
      await untilAttachment(feed.room("eeur", 0), (a) => a.resume?.unreadBytes === 0, "the acknowledgement");
      await resume(reader, at);
      expect(reader.closed).toBeNull();
    });

    // The ticker's clients never acknowledge, and a reader that never acknowledged cannot be
    // judged behind (edge/room-stream.ts, judgeReader): on the ticker, 4008 comes from the
    // resume meter only.
    if (feed.acks)
      it("4008: a reader that acknowledged, then stays behind, is closed, a retry frame first", async () => {
        const slow = await viewer("region=apac");
        slow.send({ type: "ping", seq: must(slow.position).seq });
        await feed.advance();
        await slow.waitFor(() => slow.closed !== null, "the close for being too slow", 12_000);
        expect(slow.closed?.code).toBe(CLOSE_CODES.tooSlow);
        expect(slow.frames.at(-1)).toMatchObject({ type: "retry" });
      });
  });

  it("eviction: a socket outlives its room's instance: the next version arrives, a ping and a resume are answered", async () => {
    const socket = await viewer("region=oc");
    const before = must(socket.position);
    await evictRoom(feed.room("oc", 0));
    await feed.advance();
    await socket.waitPast(before.seq);
    expect(socket.errors).toEqual([]);
    socket.send('{"type":"ping"}');
    await socket.waitFor(() => socket.frames.some((f) => f.type === "pong"), "the pong");
    await resume(socket, must(socket.position));
    expect(socket.frames.at(-1)).toSatisfy(feed.endsResume);
    expect(socket.closed).toBeNull();
  });

  it("broadcast: every socket of several shards gets each version, and each room reads an attachment once per wake-up", async () => {
    // 45 viewers: three rooms at least (ROOM_MAX_SOCKETS is 20 here).
    const viewers: FeedSocket[] = [];
    for (let batch = 0; batch < 3; batch++)
      viewers.push(...(await Promise.all(Array.from({ length: 15 }, () => viewer("region=afr")))));
    // Each room wakes (an empty book), and each socket counts its attachment's reads from then on.
    const reads: number[] = [];
    const rooms: number[] = [];
    for (let shard = 0; shard < room.maxShards; shard++) {
      const sockets = await countAttachmentReads(feed.room("afr", shard), reads);
      if (sockets > 0) rooms.push(sockets);
    }
    expect(rooms.length).toBeGreaterThanOrEqual(3);
    expect(reads).toHaveLength(45);

    for (let broadcast = 0; broadcast < 2; broadcast++) {
      const held = viewers.map((v) => must(v.position).seq);
      await feed.advance();
      await Promise.all(viewers.map((v, i) => v.waitPast(must(held[i]))));
    }
    for (const v of viewers) expect(v.errors).toEqual([]);
    // Read once by the first broadcast (or tick) after the wake-up; never again by the second.
    expect(reads).toEqual(reads.map(() => 1));
  });
});
