import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { AdmissionBucket, jitteredRetryMs } from "../edge/admission.ts";
import { parentShard } from "../edge/fanout-tree.ts";
import { FRAME_COSTS, type FrameMeterPolicy, meterFrame } from "../edge/frame-meter.ts";
import type { RoomConfig } from "../edge/room-config.ts";
import { expiredChildren } from "../edge/room-stream.ts";
import {
  readTickerAttachment,
  type TickerAttachment,
  tickerReaderSilent,
} from "../edge/ticker-attachment.ts";
import { TickerStore } from "../edge/ticker-store.ts";
import { behindParent, classifyTickerArrival, planTickerSync, viewerAhead } from "../edge/ticker-stream.ts";
import { assertNever } from "../protocol/assert-never.ts";
import { retryFrame } from "../protocol/frames.ts";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  parseClientMessage,
  SUBPROTOCOL,
} from "../protocol/live-messages.ts";
import { refusalResponse } from "../protocol/room-handoff.ts";
import {
  entryFrame,
  headlinesFrame,
  resumedFrame,
  type TickerEntry,
  type TickerPublication,
} from "../protocol/ticker.ts";
import { parseTickerHandoff } from "../protocol/ticker-handoff.ts";
import { closeQuietly, sendQuietly, WS_OPEN } from "./close-quietly.ts";
import { matchIndexStub } from "./stubs.ts";
import type { TickerHeadAnswer, TickerRoomIdentity, TickerRoomRpc } from "./ticker-rpc.ts";
import { describeTicker, TickerTree } from "./ticker-tree.ts";

/**
 * One ticker room: the ticker's viewers in one region, up to ROOM_MAX_SOCKETS, with
 * hibernating WebSockets, fed by its parent in the ticker tree (the match index for a region's
 * hub). A thin shell, like MatchRoom: frames are protocol/ticker.ts's, every decision is
 * edge/ticker-stream.ts's, the headlines and the ring live in its SQLite (edge/ticker-store.ts),
 * so hibernation loses nothing. Same admission control, frame meter, heartbeat auto-response
 * and silent-socket rule as a match room.
 */
export class TickerRoom extends DurableObject<Env> implements TickerRoomRpc {
  private readonly store: TickerStore;
  private readonly config: RoomConfig;
  private readonly tree: TickerTree;
  private readonly admission: AdmissionBucket;
  private readonly meterPolicy: FrameMeterPolicy;
  /** Publications and viewer syncs are handled one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    this.config = config.room;
    this.store = new TickerStore(ctx.storage.sql, config.ticker.ringSize);
    this.tree = new TickerTree(env, this.config.fanout, this.config.maxShards);
    this.admission = new AdmissionBucket(this.config.admitPerSecond, this.config.admitBurst, Date.now());
    this.meterPolicy = { burst: this.config.frameBurst, perSecond: this.config.framePerSecond };
    // Heartbeats are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** A viewer's WebSocket, handed over by the Worker; a refusal when full or admitting too fast. */
  override async fetch(request: Request): Promise<Response> {
    const handoff = parseTickerHandoff(request.headers);
    if (!handoff) return Response.json({ error: "bad room handoff" }, { status: 400 });
    if (!this.store.identity()) this.store.setIdentity({ region: handoff.region, shard: handoff.shard });
    const sockets = this.ctx.getWebSockets().length;
    if (sockets >= this.config.maxSockets) return refusalResponse({ refused: "full" });
    const now = Date.now();
    if (!this.admission.tryAdmit(now)) {
      return refusalResponse({ refused: "busy", retryAfterMs: jitteredRetryMs(1000, 4000, Math.random) });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({
      joinedAt: now,
      ready: false,
      bridge: handoff.bridge,
      heardAt: null,
      meter: null,
    } satisfies TickerAttachment);
    // A room that had nobody may hold headlines from before it left the tree: it rejoins (and
    // catches up) before its first viewer is answered, so nobody starts from a stale list.
    const joined = sockets === 0 ? this.activate().catch(() => undefined) : Promise.resolve();
    this.ctx.waitUntil(
      joined.then(() => this.enqueue(() => this.sync(server, handoff.since, handoff.epoch))),
    );
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    const headers = offered.split(",").some((p) => p.trim() === SUBPROTOCOL)
      ? { "sec-websocket-protocol": SUBPROTOCOL }
      : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  // --- the ticker tree (RPC) -------------------------------------------------------------

  async publish(publication: TickerPublication): Promise<{ active: boolean }> {
    await this.enqueue(() => this.receive(publication));
    return { active: this.isActive() };
  }

  async registerChild(identity: TickerRoomIdentity, viewers: number): Promise<TickerHeadAnswer> {
    if (!this.store.identity())
      this.store.setIdentity({
        region: identity.region,
        shard: parentShard(identity.shard, this.config.fanout) ?? 0,
      });
    const wasActive = this.isActive();
    this.store.putChild(identity.shard, viewers, Date.now());
    if (!wasActive) await this.activate();
    return this.store.head();
  }

  async unregisterChild(shard: number): Promise<void> {
    this.store.removeChild(shard);
  }

  async stats(): Promise<{ sockets: number; children: number[]; epoch: string | null; version: number }> {
    const head = this.store.head();
    return {
      sockets: this.ctx.getWebSockets().length,
      children: this.store.children().map((c) => c.shard),
      ...head,
    };
  }

  /** The tick: expire silent children, report up (learning the parent's head), judge silent sockets. */
  override async alarm(): Promise<void> {
    const identity = this.store.identity();
    if (!identity) return;
    const now = Date.now();
    for (const shard of expiredChildren(this.store.children(), now, this.config.childTimeoutMs))
      this.store.removeChild(shard);
    if (!this.isActive()) {
      await this.tree.leave(identity).catch(() => undefined); // the parent forgets silent children anyway
      return;
    }
    await this.reportUp(identity);
    this.tendReaders(now);
    await this.ctx.storage.setAlarm(now + this.config.presenceIntervalMs);
  }

  // --- WebSocket events (the object may have just woken from hibernation) ----------------

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    if (ws.readyState !== WS_OPEN) return;
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) return closeQuietly(ws, CLOSE_CODES.policyViolation, parsed.reason);
    const attachment = readTickerAttachment(ws);
    if (!attachment)
      return closeQuietly(ws, CLOSE_CODES.internalError, "lost track of this connection; reconnect");
    const message = parsed.message;
    const now = Date.now();
    const metered = meterFrame(attachment.meter, FRAME_COSTS[message.type], now, this.meterPolicy);
    if (!metered.allowed) return closeQuietly(ws, CLOSE_CODES.policyViolation, "rate limited");
    ws.serializeAttachment({ ...attachment, meter: metered.meter, heardAt: now });
    switch (message.type) {
      case "ping":
        return; // an acknowledgement means nothing on the ticker: heard is all
      case "subscribe":
      case "resume":
        ws.serializeAttachment({ ...attachment, meter: metered.meter, heardAt: now, ready: false });
        await this.enqueue(() => this.sync(ws, message.since, message.epoch));
        return;
      default:
        return assertNever(message);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, code, reason);
  }

  override async webSocketError(): Promise<void> {}

  // ---------------------------------------------------------------------------------------

  private enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((error) =>
      console.error("ticker room task failed", describeTicker(this.store.identity()), String(error)),
    );
    return run;
  }

  private isActive(): boolean {
    return this.ctx.getWebSockets().length > 0 || this.store.children().length > 0;
  }

  private async activate(): Promise<void> {
    const identity = this.store.identity();
    if (!identity) return;
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + this.config.presenceIntervalMs);
    await this.reportUp(identity);
  }

  private async reportUp(identity: TickerRoomIdentity): Promise<void> {
    const viewers =
      this.ctx.getWebSockets().length + this.store.children().reduce((n, c) => n + c.viewers, 0);
    try {
      const upstream = await this.tree.report(identity, viewers);
      if (behindParent(this.store.head(), upstream)) await this.enqueue(() => this.catchUp());
    } catch (error) {
      console.error("ticker report failed", describeTicker(identity), String(error));
    }
  }

  /** One publication from the parent (already serialised by the queue). */
  private async receive(publication: TickerPublication): Promise<void> {
    if (!this.store.hasState()) return this.catchUp();
    const arrival = classifyTickerArrival(this.store.head(), publication);
    switch (arrival.kind) {
      case "full":
        if (publication.kind === "full") this.replace(publication);
        return;
      case "next":
        return this.advance(publication.epoch, arrival.entries);
      case "duplicate":
        return;
      case "hole":
        return this.catchUp();
      default:
        return assertNever(arrival);
    }
  }

  /** Pulls what this room missed (or everything) from the match index, the ticker's source. */
  private async catchUp(): Promise<void> {
    const head = this.store.head();
    const answer = await matchIndexStub(this.env).tickerSince(head.epoch, head.version);
    if (answer.kind === "full") return this.replace(answer);
    const arrival = classifyTickerArrival(head, answer);
    if (arrival.kind === "next") this.advance(answer.epoch, arrival.entries);
  }

  private advance(epoch: string, entries: TickerEntry[]): void {
    this.store.advance(entries);
    for (const entry of entries) this.broadcast(entryFrame(entry, false));
    this.forward({ kind: "changes", epoch, entries });
  }

  private replace(full: Extract<TickerPublication, { kind: "full" }>): void {
    const head = this.store.head();
    if (head.epoch === full.epoch && head.version === full.version && this.store.hasState()) return;
    this.store.replace(full.epoch, full.version, full.headlines);
    this.broadcast(headlinesFrame(full.epoch, full.version, full.headlines));
    this.forward(full);
  }

  private forward(publication: TickerPublication): void {
    const identity = this.store.identity();
    const children = this.store.children().map((c) => c.shard);
    if (!identity || children.length === 0) return;
    this.ctx.waitUntil(
      this.tree.forward(identity, children, publication).then((gone) => {
        for (const shard of gone) this.store.removeChild(shard);
      }),
    );
  }

  /** A viewer's first frames, or its answer to a resume: the changes it missed, else every headline. */
  private async sync(ws: WebSocket, since: number | undefined, epoch: string | undefined): Promise<void> {
    if (ws.readyState !== WS_OPEN) return;
    if (!this.store.hasState() || viewerAhead(this.store.head(), since, epoch)) await this.catchUp();
    const head = this.store.head();
    const plan = planTickerSync(head, since, epoch, this.store.ring());
    if (plan.kind === "replay") {
      for (const entry of plan.entries) sendQuietly(ws, entryFrame(entry, true));
      sendQuietly(ws, resumedFrame(head.epoch ?? "0", head.version));
    } else {
      sendQuietly(ws, headlinesFrame(head.epoch ?? "0", head.version, this.store.headlines()));
    }
    const attachment = readTickerAttachment(ws);
    if (attachment) ws.serializeAttachment({ ...attachment, ready: true });
  }

  private broadcast(frame: string): void {
    for (const ws of this.ctx.getWebSockets()) if (readTickerAttachment(ws)?.ready) sendQuietly(ws, frame);
  }

  /** Silent sockets (nothing heard, not even an auto-answered ping) are closed with a retry hint. */
  private tendReaders(now: number): void {
    for (const ws of this.ctx.getWebSockets()) {
      const reader = readTickerAttachment(ws);
      if (!reader || ws.readyState !== WS_OPEN) continue;
      const autoResponseAt = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
      if (!tickerReaderSilent(reader, autoResponseAt, now, this.config.silentAfterMs)) continue;
      sendQuietly(
        ws,
        retryFrame(jitteredRetryMs(1000, 5000, Math.random), "silent: no heartbeat; reconnect"),
      );
      closeQuietly(ws, CLOSE_CODES.silent, "silent: no heartbeat; reconnect");
    }
  }
}
