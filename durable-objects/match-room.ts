import { DurableObject } from "cloudflare:workers";
import jsonPatch from "fast-json-patch";
import { z } from "zod";
import { fastReadFor } from "../adapters/fast-read-config.ts";
import { AdmissionBucket, jitteredRetryMs } from "../edge/admission.ts";
import { childShards, parentShard } from "../edge/fanout-tree.ts";
import { type RoomConfig, readRoomConfig } from "../edge/room-config.ts";
import { type RingEntry, type RoomIdentity, RoomStore } from "../edge/room-store.ts";
import { readAttachment, type SocketAttachment } from "../edge/socket-attachment.ts";
import { type Publication, stateAsJson } from "../origin/ledger/publisher.ts";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  type JsonValue,
  parseClientMessage,
  SUBPROTOCOL,
} from "../protocol/live-messages.ts";
import { LIVE_FORMATS, type LiveFormat } from "../protocol/state-delta.ts";
import { ledgerRpc, roomRpc } from "./stubs.ts";

/** Headers the Worker sets when it hands a viewer to a room (already parsed and checked there). */
export const ROOM_HEADERS = {
  matchId: "x-crease-match",
  region: "x-crease-region",
  shard: "x-crease-shard",
  since: "x-crease-since",
  epoch: "x-crease-epoch",
  bridge: "x-crease-bridge",
  format: "x-crease-format",
} as const;

/** The SSE bridge's resume point carries no epoch: this one means "the room's current history". */
export const ANY_EPOCH = "*";

const handoffSchema = z.object({
  matchId: z.string().min(1).max(128),
  region: z.string().min(1).max(8),
  shard: z.coerce.number().int().min(0),
  since: z.coerce.number().int().min(0).optional(),
  epoch: z.string().min(1).max(64).optional(),
  bridge: z.literal("1").optional(),
  format: z.enum(LIVE_FORMATS).default("json-patch"),
});

/** Why a room refused a viewer; the Worker turns it into another shard, or a 1013 with a retry hint. */
export type Refusal = { refused: "full" } | { refused: "busy"; retryAfterMs: number };

/**
 * One room: the viewers of one match in one region, up to a cap, with hibernating WebSockets.
 * It never writes match state. It holds a version (its consumer offset), a ring of recent
 * patches for resumes, and, while awake, the state at that version for new viewers' snapshots.
 * Versions arrive from its parent in the publication tree (the ledger for a region's hub,
 * another shard otherwise); it forwards them to its own children.
 */
export class MatchRoom extends DurableObject<Env> {
  private readonly store: RoomStore;
  private readonly config: RoomConfig;
  private readonly admission: AdmissionBucket;
  /** The state at the head version, or null after hibernation until a viewer needs a snapshot. */
  private state: JsonValue | null = null;
  /** Versions and viewer syncs are handled one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();
  private viewers: { total: number; stale: boolean } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readRoomConfig(env as unknown as Record<string, unknown>);
    this.store = new RoomStore(ctx.storage.sql, this.config.ringSize);
    this.admission = new AdmissionBucket(this.config.admitPerSecond, this.config.admitBurst, Date.now());
    // Heartbeats are answered by the runtime without waking the object: a quiet audience costs no CPU.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** A viewer's WebSocket, handed over by the Worker; a refusal when full or admitting too fast. */
  override async fetch(request: Request): Promise<Response> {
    const handoff = handoffSchema.safeParse({
      matchId: request.headers.get(ROOM_HEADERS.matchId),
      region: request.headers.get(ROOM_HEADERS.region),
      shard: request.headers.get(ROOM_HEADERS.shard),
      since: request.headers.get(ROOM_HEADERS.since) ?? undefined,
      epoch: request.headers.get(ROOM_HEADERS.epoch) ?? undefined,
      bridge: request.headers.get(ROOM_HEADERS.bridge) ?? undefined,
      format: request.headers.get(ROOM_HEADERS.format) ?? undefined,
    });
    if (!handoff.success) return Response.json({ error: "bad room handoff" }, { status: 400 });
    const { since, epoch, bridge, format, ...identity } = handoff.data;
    this.remember(identity);

    const sockets = this.ctx.getWebSockets();
    if (sockets.length >= this.config.maxSockets) return refusal({ refused: "full" });
    const now = Date.now();
    if (!this.admission.tryAdmit(now)) {
      return refusal({ refused: "busy", retryAfterMs: jitteredRetryMs(1000, 4000, Math.random) });
    }

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    // Tagged by wire format, so a broadcast serialises each format once and picks its sockets by tag.
    this.ctx.acceptWebSocket(server, [format]);
    const attachment: SocketAttachment = {
      joinedAt: now,
      ready: false,
      ackSeq: null,
      ackAt: null,
      lagging: false,
      bridge: bridge === "1",
      format,
    };
    server.serializeAttachment(attachment);
    if (sockets.length === 0) this.ctx.waitUntil(this.activate());
    this.ctx.waitUntil(this.enqueue(() => this.sync(server, since, epoch)));
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    const headers = offered.split(",").some((p) => p.trim() === SUBPROTOCOL)
      ? { "sec-websocket-protocol": SUBPROTOCOL }
      : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  // --- the publication tree -----------------------------------------------------------

  /** A new version from the parent. Idempotent: a duplicate is ignored, a hole is pulled. */
  async publish(publication: Publication): Promise<{ active: boolean }> {
    await this.enqueue(() => this.receive(publication));
    return { active: this.isActive() };
  }

  /** A child shard has viewers (or children of its own): forward versions to it. */
  async registerChild(
    identity: RoomIdentity,
    viewers: number,
  ): Promise<{ viewers: number; seq: number; epoch: string | null }> {
    this.remember({ ...identity, shard: parentShard(identity.shard, this.config.fanout) ?? 0 });
    const wasActive = this.isActive();
    this.store.putChild(identity.shard, viewers, Date.now());
    if (!wasActive) await this.activate();
    const head = this.store.head();
    return { viewers: this.viewers?.total ?? this.localViewers(), seq: head.seq, epoch: head.epoch };
  }

  async unregisterChild(shard: number): Promise<void> {
    this.store.removeChild(shard);
  }

  /** For tests and the operations page. */
  async stats(): Promise<{
    sockets: number;
    children: number[];
    seq: number;
    epoch: string | null;
    hasState: boolean;
  }> {
    const head = this.store.head();
    return {
      sockets: this.ctx.getWebSockets().length,
      children: this.store.children().map((c) => c.shard),
      seq: head.seq,
      epoch: head.epoch,
      hasState: this.state !== null,
    };
  }

  // --- the presence tick ----------------------------------------------------------------

  /**
   * Every few seconds while anyone is here: report viewers up the tree (learning the match's
   * total and the parent's version on the way back), tell the sockets, and deal with slow
   * readers. The only periodic wake-up a room has.
   */
  override async alarm(): Promise<void> {
    const identity = this.identity();
    if (!identity) return;
    const now = Date.now();
    for (const child of this.store.children()) {
      if (now - child.reportedAt > this.config.childTimeoutMs) this.store.removeChild(child.shard);
    }
    if (!this.isActive()) {
      await this.deactivate(identity);
      return;
    }
    await this.reportUp(identity);
    // One batch per room per tick to the fast-read layer, never one write per socket: a herd
    // of connections is not a herd of Redis writes. Guarded, and never awaited by the feed.
    this.ctx.waitUntil(
      fastReadFor(this.env).fastRead.reportPresence({
        matchId: identity.matchId,
        region: identity.region,
        shard: identity.shard,
        viewers: this.localViewers(),
        at: now,
      }),
    );
    this.broadcastPresence();
    this.handleSlowReaders(now);
    await this.ctx.storage.setAlarm(now + this.config.presenceIntervalMs);
  }

  // --- WebSocket events (the object may have just woken from hibernation) -------------

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) {
      ws.close(CLOSE_CODES.policyViolation, parsed.reason);
      return;
    }
    const attachment = readAttachment(ws);
    if (!attachment) {
      ws.close(CLOSE_CODES.internalError, "lost track of this connection; reconnect");
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case "ping": {
        if (message.seq === undefined) return;
        const wasLagging = attachment.lagging;
        ws.serializeAttachment({ ...attachment, ackSeq: message.seq, ackAt: Date.now(), lagging: false });
        // A conflated reader that speaks again gets the newest state in one go, not the backlog.
        if (wasLagging) await this.enqueue(() => this.sync(ws, undefined, undefined));
        return;
      }
      case "subscribe":
      case "resume":
        ws.serializeAttachment({ ...attachment, ready: false });
        await this.enqueue(() => this.sync(ws, message.since, message.epoch));
        return;
      default:
        return assertNever(message);
    }
  }

  /** Nothing else to do: the next presence tick sees an empty room and leaves the tree. */
  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, code, reason);
  }

  override async webSocketError(): Promise<void> {}

  // ---------------------------------------------------------------------------------------

  private enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((error) => console.error("room task failed", String(error)));
    return run;
  }

  private remember(identity: RoomIdentity): void {
    if (!this.store.identity() && identity.region !== "") this.store.setIdentity(identity);
  }

  private identity(): RoomIdentity | null {
    return this.store.identity();
  }

  private isActive(): boolean {
    return this.ctx.getWebSockets().length > 0 || this.store.children().length > 0;
  }

  private localViewers(): number {
    return this.ctx.getWebSockets().length;
  }

  private ledger() {
    const identity = this.identity();
    if (!identity) throw new Error("room has no identity yet");
    return ledgerRpc(this.env, identity.matchId);
  }

  /** Joins the tree: the hub registers with the ledger, other shards with their parent shard. */
  private async activate(): Promise<void> {
    const identity = this.identity();
    if (!identity) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + this.config.presenceIntervalMs);
    }
    try {
      const parent = parentShard(identity.shard, this.config.fanout);
      if (parent === null) {
        await this.ledger().registerRegion(identity.matchId, identity.region);
      } else {
        const reply = await roomRpc(this.env, identity.matchId, identity.region, parent).registerChild(
          identity,
          this.localViewers(),
        );
        this.viewers = { total: reply.viewers, stale: false };
      }
    } catch (error) {
      // The presence tick registers again (reports double as registrations).
      console.error("room registration failed", String(error));
    }
  }

  private async deactivate(identity: RoomIdentity): Promise<void> {
    const parent = parentShard(identity.shard, this.config.fanout);
    try {
      if (parent === null) await this.ledger().unregisterRegion(identity.matchId, identity.region);
      else await roomRpc(this.env, identity.matchId, identity.region, parent).unregisterChild(identity.shard);
    } catch {
      // The parent prunes children that stop reporting.
    }
    this.state = null;
  }

  /** Reports double as registrations, so a parent that lost track of us (or a lost registration) heals. */
  private async reportUp(identity: RoomIdentity): Promise<void> {
    const head = this.store.head();
    const viewers = this.localViewers() + this.store.children().reduce((n, c) => n + c.viewers, 0);
    try {
      const parent = parentShard(identity.shard, this.config.fanout);
      let upstream: { viewers: number; seq: number; epoch: string | null };
      if (parent === null) {
        upstream = await this.ledger().reportRegion(identity.matchId, identity.region, viewers, head.seq);
      } else {
        upstream = await roomRpc(this.env, identity.matchId, identity.region, parent).registerChild(
          identity,
          viewers,
        );
      }
      this.viewers = { total: Math.max(upstream.viewers, viewers), stale: false };
      // A lost last notification would leave us behind forever on a quiet match: the parent's version says so.
      if (upstream.epoch !== null && (upstream.epoch !== head.epoch || upstream.seq > head.seq)) {
        await this.enqueue(() => this.catchUp());
      }
    } catch (error) {
      this.viewers = { total: this.viewers?.total ?? viewers, stale: true };
      console.error("room report failed", String(error));
    }
  }

  /** Handles one version from the parent (already serialised by the queue). */
  private async receive(publication: Publication): Promise<void> {
    const head = this.store.head();
    if (publication.kind === "reset") {
      this.resetTo(publication.epoch, publication.seq, publication.state, publication);
      return;
    }
    if (publication.epoch !== head.epoch || publication.prev !== head.seq) {
      if (publication.epoch === head.epoch && publication.seq <= head.seq) return; // a duplicate
      await this.catchUp(); // a hole (or a new history): pull what we missed, which includes this one
      return;
    }
    this.deliver(
      { seq: publication.seq, prev: publication.prev, ops: publication.ops, delta: publication.delta },
      publication,
    );
  }

  /** The room owns its offset: it pulls the versions it missed from the ledger, which coalesces identical pulls. */
  private async catchUp(): Promise<void> {
    const identity = this.identity();
    if (!identity) return;
    const head = this.store.head();
    const answer = await this.ledger().resume(identity.matchId, head.epoch ?? "", head.seq);
    if (!answer) return;
    if (answer.kind === "snapshot") {
      this.resetTo(answer.epoch, answer.seq, answer.state, {
        kind: "reset",
        matchId: identity.matchId,
        epoch: answer.epoch,
        seq: answer.seq,
        state: answer.state,
      });
      return;
    }
    for (const patch of answer.patches) {
      if (patch.seq <= this.store.head().seq) continue;
      this.deliver(
        { seq: patch.seq, prev: patch.prev, ops: patch.ops, delta: patch.delta },
        { kind: "patch", matchId: identity.matchId, epoch: answer.epoch, ...patch },
      );
    }
  }

  /** A new version: into the ring, onto the state if we hold it, out to the sockets and the children. */
  private deliver(entry: RingEntry, publication: Publication): void {
    const identity = this.identity();
    if (!identity) return;
    this.store.advance(entry);
    if (this.state) {
      try {
        this.state = jsonPatch.applyPatch(this.state, entry.ops, false, false).newDocument as JsonValue;
      } catch {
        this.state = null; // pulled again when a viewer needs a snapshot
      }
    }
    const frames = versionFrames(identity.matchId, entry, false);
    this.broadcast((format) => frames[format]);
    this.forward(identity, publication);
  }

  /** A new history (or a state the ring cannot reach): every viewer gets the whole state. */
  private resetTo(epoch: string, seq: number, state: JsonValue, publication: Publication): void {
    const identity = this.identity();
    if (!identity) return;
    this.store.reset(epoch, seq);
    this.state = state;
    this.broadcast(JSON.stringify({ type: "snapshot", matchId: identity.matchId, epoch, seq, state }));
    this.forward(identity, publication);
  }

  private forward(identity: RoomIdentity, publication: Publication): void {
    const children = this.store.children();
    if (children.length === 0) return;
    const allowed = new Set(childShards(identity.shard, this.config.fanout, this.config.maxShards));
    this.ctx.waitUntil(
      Promise.all(
        children
          .filter((c) => allowed.has(c.shard))
          .map(async (child) => {
            try {
              const { active } = await roomRpc(
                this.env,
                identity.matchId,
                identity.region,
                child.shard,
              ).publish(publication);
              if (!active) this.store.removeChild(child.shard);
            } catch (error) {
              console.error("forward to child failed", child.shard, String(error));
            }
          }),
      ),
    );
  }

  /**
   * A viewer's first messages (or its answer to a resume): the missed patches when the epoch
   * matches and the ring, or behind it the ledger's log, reaches back to `since`; otherwise
   * the state. Runs in the queue, so no version can slip in between.
   */
  private async sync(ws: WebSocket, since: number | undefined, epoch: string | undefined): Promise<void> {
    const identity = this.identity();
    if (!identity || ws.readyState !== WS_OPEN) return;
    await this.ensureState();
    const head = this.store.head();
    const sameHistory =
      epoch !== undefined && head.epoch !== null && (epoch === head.epoch || epoch === ANY_EPOCH);
    if (since !== undefined && sameHistory && head.epoch !== null && since <= head.seq) {
      const patches =
        this.store.ringSince(since) ?? (await this.fromLedger(identity, head.epoch, since, head.seq));
      if (patches) {
        const format = readAttachment(ws)?.format ?? "json-patch";
        for (const p of patches) ws.send(versionFrames(identity.matchId, p, true)[format]);
        ws.send(JSON.stringify({ ...this.presence(identity), resumed: true }));
        this.markReady(ws);
        return;
      }
    }
    ws.send(
      JSON.stringify({
        type: "snapshot",
        matchId: identity.matchId,
        epoch: head.epoch ?? "",
        seq: head.seq,
        state: this.state,
      }),
    );
    this.markReady(ws);
  }

  private async fromLedger(
    identity: RoomIdentity,
    epoch: string,
    since: number,
    head: number,
  ): Promise<RingEntry[] | null> {
    const answer = await this.ledger().resume(identity.matchId, epoch, since);
    if (answer?.kind !== "patches" || answer.epoch !== epoch) return null;
    const upToHead = answer.patches.filter((p) => p.seq <= head);
    return upToHead.at(-1)?.seq === head || (since === head && upToHead.length === 0) ? upToHead : null;
  }

  /** The state at the head version, pulled from the ledger after hibernation (once, for all viewers waiting). */
  private async ensureState(): Promise<void> {
    for (let attempt = 0; attempt < 3 && this.state === null; attempt++) {
      const identity = this.identity();
      if (!identity) return;
      const snapshot = await this.ledger().snapshot();
      const head = this.store.head();
      if (!snapshot) {
        // The match has no events yet: an empty history at version 0.
        this.store.reset(head.epoch ?? "0", 0);
        this.state = null;
        return;
      }
      const state = stateAsJson(snapshot.state);
      if (snapshot.epoch === head.epoch && snapshot.seq === head.seq) {
        this.state = state;
      } else if (snapshot.epoch === head.epoch && snapshot.seq > head.seq) {
        await this.catchUp(); // deliver the versions we missed, then take the state at the new head
      } else {
        this.resetTo(snapshot.epoch, snapshot.seq, state, {
          kind: "reset",
          matchId: identity.matchId,
          epoch: snapshot.epoch,
          seq: snapshot.seq,
          state,
        });
      }
    }
  }

  private markReady(ws: WebSocket): void {
    const attachment = readAttachment(ws);
    if (attachment) ws.serializeAttachment({ ...attachment, ready: true });
  }

  /**
   * One serialisation per format, every ready socket that keeps up. Workers sockets have no
   * backpressure signal, so a send never waits for a slow reader.
   */
  private broadcast(frame: string | ((format: LiveFormat) => string)): void {
    for (const format of LIVE_FORMATS) {
      const text = typeof frame === "string" ? frame : frame(format);
      for (const ws of this.ctx.getWebSockets(format)) {
        const attachment = readAttachment(ws);
        if (!attachment?.ready || attachment.lagging) continue;
        try {
          ws.send(text);
        } catch {
          // closing socket: the runtime will deliver webSocketClose
        }
      }
    }
  }

  private presence(identity: RoomIdentity) {
    const viewers = this.viewers ?? { total: this.localViewers(), stale: true };
    return {
      type: "presence" as const,
      matchId: identity.matchId,
      seq: this.store.head().seq,
      viewers: viewers.total,
      ...(viewers.stale ? { stale: true } : {}),
    };
  }

  private broadcastPresence(): void {
    const identity = this.identity();
    if (identity) this.broadcast(JSON.stringify(this.presence(identity)));
  }

  /**
   * Slow readers: a client that acknowledges (`ping` with `seq`) but stays far behind is
   * conflated (no more patches; the newest state when it speaks again), and closed if it stays
   * silent. Clients that never acknowledge cannot be judged and are left alone.
   */
  private handleSlowReaders(now: number): void {
    const head = this.store.head().seq;
    for (const ws of this.ctx.getWebSockets()) {
      const a = readAttachment(ws);
      if (!a || a.bridge || a.ackAt === null || a.ackSeq === null || !a.ready) continue;
      const silentFor = now - a.ackAt;
      if (a.lagging && silentFor > this.config.slowCloseAfterMs) {
        ws.send(
          JSON.stringify({
            type: "retry",
            afterMs: jitteredRetryMs(1000, 5000, Math.random),
            reason: "too slow",
          }),
        );
        ws.close(CLOSE_CODES.tooSlow, "too slow: reconnect for the newest state");
      } else if (
        !a.lagging &&
        head - a.ackSeq > this.config.slowBehindVersions &&
        silentFor > this.config.slowAfterMs
      ) {
        ws.serializeAttachment({ ...a, lagging: true });
      }
    }
  }
}

/** A version as each wire format sends it, serialised once for the whole room. */
function versionFrames(matchId: string, entry: RingEntry, resumed: boolean): Record<LiveFormat, string> {
  const flag = resumed ? { resumed: true } : {};
  return {
    "json-patch": JSON.stringify({
      type: "patch",
      matchId,
      seq: entry.seq,
      prev: entry.prev,
      ops: entry.ops,
      ...flag,
    }),
    fossil: JSON.stringify({
      type: "delta",
      matchId,
      seq: entry.seq,
      prev: entry.prev,
      delta: entry.delta,
      ...flag,
    }),
  };
}

/**
 * Completes the closing handshake the client started. Depending on the compatibility date the
 * runtime may already have replied, and close() on a closed socket throws; either way the
 * client must see its close echoed (not a 1006), so the reply is attempted and a throw ignored.
 */
function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    // 1005/1006/1015 are reserved: they may be reported but never sent.
    ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
  } catch {
    // already closed
  }
}

/** WebSocket.OPEN, spelled out: the Workers global does not carry the static constants everywhere. */
const WS_OPEN = 1;

function refusal(body: Refusal): Response {
  return Response.json(body, { status: body.refused === "full" ? 503 : 429 });
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
