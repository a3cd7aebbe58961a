import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config/crease-config.ts";
import { AdmissionBucket, jitteredRetryMs } from "../edge/admission.ts";
import { onClientFrame } from "../edge/client-frame.ts";
import { closeQuietly, sendQuietly, WS_OPEN } from "../edge/close-quietly.ts";
import type { FrameMeterPolicy } from "../edge/frame-meter.ts";
import { inSlices } from "../edge/in-slices.ts";
import { type AnswerSent, chargeAnswer, frameBytes, RESUME_METER_POLICY } from "../edge/resume-meter.ts";
import { type RoomConfig, readerPolicy } from "../edge/room-config.ts";
import { type Head, judgeReader, type SlowReaderPolicy, snapshotAllowed } from "../edge/room-stream.ts";
import { freshAttachment, type SocketAttachment } from "../edge/socket-attachment.ts";
import { SocketBook } from "../edge/socket-book.ts";
import { type MemberRoom, TreeMember } from "../edge/tree-member.ts";
import { assertNever } from "../protocol/assert-never.ts";
import { retryFrame } from "../protocol/frames.ts";
import { agreedSubprotocol } from "../protocol/live-constants.ts";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  parseClientMessage,
} from "../protocol/live-messages.ts";
import {
  type Feed,
  type HandoffOf,
  isFeed,
  parseHandoff,
  refusalResponse,
  type TreePosition,
} from "../protocol/room-handoff.ts";
import { LIVE_FORMATS, type LiveFormat } from "../protocol/state-delta.ts";
import type { FanoutRoomRpc, RoomStats, TreeParent, Upstream } from "../rpc/fanout.ts";
import { TreeNodeStore } from "../storage/tree-node-store.ts";

/**
 * The fan-out core: one room of a feed's publication tree, holding up to ROOM_MAX_SOCKETS
 * hibernating WebSockets. Written once for every feed (docs/architecture.md, "One fan-out
 * core"): the handoff and admission, tags, the 101, the frame meter and the resume meter, the
 * silence and slow-reader rules, the alarm (expire children, report up, tick), the tree (join,
 * report, forward, leave) and the sliced broadcast over one book of attachments read once per
 * wake-up. A feed (MatchRoom, TickerRoom) says only what is its own, in the hooks below.
 */
export abstract class FanoutRoom<I extends TreePosition, P, F extends Feed>
  extends DurableObject<Env>
  implements FanoutRoomRpc<I, P>
{
  protected readonly config: RoomConfig;
  protected readonly node: TreeNodeStore;
  /** Every socket's attachment, read once per wake-up instead of once per broadcast. */
  protected readonly book = new SocketBook<WebSocket>();
  /** The room's place in the feed's publication tree: join, report, forward, children (edge/tree-member.ts). */
  protected readonly tree: TreeMember<I, P>;
  private readonly admission: AdmissionBucket;
  private readonly meterPolicy: FrameMeterPolicy;
  private readonly readerPolicy: SlowReaderPolicy;
  /** Publications and viewer syncs are handled one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Publications from the parent not yet taken by the queue: taken together, as one batch. */
  private readonly arrived: P[] = [];
  /** The sockets held, counted once per wake-up and after a close, then kept: a join must not list them all. */
  private sockets: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readConfig(env).room;
    this.node = new TreeNodeStore(ctx.storage.sql);
    this.admission = new AdmissionBucket(this.config.admitPerSecond, this.config.admitBurst, Date.now());
    this.meterPolicy = { burst: this.config.frameBurst, perSecond: this.config.framePerSecond };
    this.readerPolicy = readerPolicy(this.config);
    this.tree = new TreeMember<I, P>(this.node, this.config);
    // Heartbeats are answered by the runtime without waking the object: a quiet audience costs no CPU.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** The feed whose handoffs this room takes, and the identity a handoff names. */
  protected abstract readonly feed: F;
  protected abstract identityOf(handoff: HandoffOf<F>): I;
  protected abstract readIdentity(): I | null;
  protected abstract writeIdentity(identity: I): void;
  /** The root object a hub (shard 0) reports to, and a sibling room by shard. */
  protected abstract root(identity: I): TreeParent;
  protected abstract shard(identity: I, shard: number): FanoutRoomRpc<I, P>;
  /** The position the room holds, and whether it holds the feed's state at all. */
  protected abstract head(): Head;
  protected abstract hasState(): boolean;
  /** A new socket: tags beyond its wire format, attachment fields, and its first frames. */
  protected abstract welcome(ws: WebSocket, handoff: HandoffOf<F>, joined: Promise<void>): Promise<unknown>;
  /** A resume (or a conflated reader come back, with no position): its answer; says what it sent. */
  protected abstract answer(ws: WebSocket, since?: number, epoch?: string): Promise<AnswerSent>;
  /** Publications from the parent, in order, already serialised by the queue. */
  protected abstract receive(batch: P[]): Promise<void>;
  /** The parent holds more than this room: pull what was missed. */
  protected abstract catchUp(identity: I): Promise<void>;
  /** Whether a room joining the tree pulls at once when its parent is ahead (else at its first tick). */
  protected readonly catchUpOnJoin: boolean = false;
  /** The feed's own work at each presence tick (after reporting up, before tending readers). */
  protected async tick(_identity: I, _now: number): Promise<void> {}
  /** Tags beyond the wire format, and attachment fields, for a socket of this handoff. */
  protected socketOf(_handoff: HandoffOf<F>): { tags: string[]; extras: Partial<SocketAttachment> } {
    return { tags: [], extras: {} };
  }

  /** A viewer's WebSocket, handed over by the Worker; a refusal when full or admitting too fast. */
  override async fetch(request: Request): Promise<Response> {
    const handoff = parseHandoff(request.headers);
    if (!handoff || !isFeed(handoff, this.feed))
      return Response.json({ error: "bad room handoff" }, { status: 400 });
    this.remember(this.identityOf(handoff));
    const sockets = this.localViewers();
    if (sockets >= this.config.maxSockets) return refusalResponse({ refused: "full" });
    const now = Date.now();
    if (!this.admission.tryAdmit(now)) {
      return refusalResponse({ refused: "busy", retryAfterMs: jitteredRetryMs(1000, 4000, Math.random) });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const { tags, extras } = this.socketOf(handoff);
    const format: LiveFormat = extras.format ?? "json-patch";
    // Tagged by wire format, so a broadcast serialises each format once and picks its sockets by tag.
    this.ctx.acceptWebSocket(server, [format, ...tags]);
    this.sockets = sockets + 1;
    this.book.set(server, freshAttachment(now, handoff.bridge, extras));
    // A room that had nobody rejoins the tree (and may catch up) as its first viewer arrives.
    const joined = sockets === 0 ? this.activate() : Promise.resolve();
    this.ctx.waitUntil(joined);
    this.ctx.waitUntil(this.welcome(server, handoff, joined));
    const headers = agreedSubprotocol(request.headers.get("sec-websocket-protocol"));
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  async publish(publication: P): Promise<{ active: boolean }> {
    // Whatever arrives while the room is busy is taken together by the next turn of the queue.
    this.arrived.push(publication);
    await this.enqueue(() => {
      const batch = this.arrived.splice(0);
      return batch.length > 0 ? this.receive(batch) : undefined;
    });
    return { active: this.tree.isActive(this.member) };
  }

  async registerChild(identity: I, viewers: number): Promise<Upstream> {
    this.remember({ ...identity, shard: this.tree.parentShardOf(identity.shard) });
    const wasActive = this.tree.isActive(this.member);
    const answer = this.tree.registerChild(this.member, identity, viewers, Date.now());
    if (!wasActive) await this.activate();
    return answer;
  }

  async unregisterChild(shard: number): Promise<void> {
    this.node.removeChild(shard);
  }

  async stats(): Promise<RoomStats> {
    const head = this.head();
    const children = this.node.children().map((c) => c.shard);
    const sockets = this.ctx.getWebSockets().length;
    return { sockets, children, seq: head.seq, epoch: head.epoch, hasState: this.hasState() };
  }

  /**
   * The presence tick, the only periodic wake-up a room has (while anyone is here): expire
   * silent children, report viewers up the tree (learning the total and the parent's position
   * on the way back), the feed's own tick, then judge every reader.
   */
  override async alarm(): Promise<void> {
    this.sockets = null;
    const identity = this.readIdentity();
    if (!identity) return;
    const now = Date.now();
    if (!this.tree.expire(this.member, now)) {
      await this.tree.leave(this.member, identity);
      this.onIdle();
      return;
    }
    await this.tree.report(this.member, identity);
    await this.tick(identity, now);
    this.tendReaders(now);
    await this.ctx.storage.setAlarm(now + this.config.presenceIntervalMs);
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    // Frames still in the pipe from a socket the room has closed (the rest of a flood) cost nothing more.
    if (ws.readyState !== WS_OPEN) return;
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) return closeQuietly(ws, CLOSE_CODES.policyViolation, parsed.reason);
    const attachment = this.book.get(ws);
    if (!attachment)
      return closeQuietly(ws, CLOSE_CODES.internalError, "lost track of this connection; reconnect");
    const action = onClientFrame(attachment, parsed.message, Date.now(), this.meterPolicy);
    if (action.do === "close") return closeQuietly(ws, action.code, action.reason);
    this.book.set(ws, action.attachment);
    if (action.do === "resync") await this.answer(ws);
    if (action.do === "refuse") this.closeWithRetry(ws, CLOSE_CODES.tooSlow, action.reason);
    if (action.do !== "answer") return;
    let sent: AnswerSent = { bytes: 0, seq: this.head().seq };
    try {
      sent = await this.answer(ws, action.since, action.epoch);
    } finally {
      const answered = this.book.get(ws)?.resume ?? action.attachment.resume;
      this.book.update(ws, { resume: chargeAnswer(answered, sent, Date.now(), RESUME_METER_POLICY) });
    }
  }

  /** Nothing else to do: the next presence tick sees an empty room and leaves the tree. */
  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.sockets = null;
    closeQuietly(ws, code, reason);
  }

  override async webSocketError(): Promise<void> {
    this.sockets = null;
  }

  protected enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((error) => console.error("room task failed", this.describe(), String(error)));
    return run;
  }

  /** The room's name in logs: every error says which feed, region and shard (and match) it came from. */
  protected describe(): string {
    const identity = this.readIdentity();
    return `${this.feed} room ${identity ? Object.values(identity).join("/") : "(unnamed)"}`;
  }

  /** The feed's viewers over the tree as the parent last said, else this room's own (stale until it has). */
  protected audience(): { total: number; stale: boolean } {
    return this.tree.viewers ?? { total: this.localViewers(), stale: true };
  }

  protected localViewers(): number {
    this.sockets ??= this.ctx.getWebSockets().length;
    return this.sockets;
  }

  /** Nobody is left: the feed may drop what it holds in memory. */
  protected onIdle(): void {}

  /**
   * A socket whose last snapshot is within the cooldown is owed one instead of refused: the
   * first presence tick after the cooldown sends it (see tendReaders).
   */
  protected snapshotDeferred(ws: WebSocket, now: number): boolean {
    const attachment = this.book.get(ws);
    if (!attachment || snapshotAllowed(attachment.snapshotAt, now, this.config.snapshotCooldownMs))
      return false;
    this.book.set(ws, { ...attachment, ready: false, snapshotOwed: true });
    return true;
  }

  /** A sync's frames to one socket, which is then in step; says what was sent, for the resume meter. */
  protected sendAll(
    ws: WebSocket,
    frames: readonly (string | Uint8Array)[],
    seq: number,
    at?: number,
  ): AnswerSent {
    for (const frame of frames) sendQuietly(ws, frame);
    this.book.markReady(ws, at);
    return { bytes: frames.reduce((n, frame) => n + frameBytes(frame), 0), seq };
  }

  /**
   * One serialisation per format, to every ready socket that keeps up (of `tag`, when given), in
   * slices that let the rest of the isolate (an ingest's acknowledgement, a join) run between
   * them. Workers sockets have no backpressure signal.
   */
  protected async broadcast(frame: string | ((format: LiveFormat) => string[]), tag?: string): Promise<void> {
    for (const format of LIVE_FORMATS) {
      const texts = typeof frame === "string" ? [frame] : frame(format);
      if (texts.length === 0) continue;
      const ready = this.ctx
        .getWebSockets(tag ?? format)
        .filter((ws) => this.book.receivesBroadcasts(ws, format));
      await inSlices(ready, (ws) => {
        for (const text of texts) sendQuietly(ws, text);
      });
    }
  }

  /** On to the children this shard may have, at once (their sockets are served in parallel with ours). */
  protected forward(identity: I, publication: P): void {
    this.tree.forward(this.member, identity, publication);
  }

  /** This room as its tree membership sees it: made per call, so it is always this instance's. */
  private get member(): MemberRoom<I, P> {
    return {
      root: (identity) => this.root(identity),
      shard: (identity, shard) => this.shard(identity, shard),
      head: () => this.head(),
      localViewers: () => this.localViewers(),
      pull: (identity) => this.enqueue(() => this.catchUp(identity)),
      later: (work) => this.ctx.waitUntil(work),
      describe: () => this.describe(),
    };
  }

  private remember(identity: I): void {
    if (!this.readIdentity() && identity.region !== "") this.writeIdentity(identity);
  }

  private async activate(): Promise<void> {
    const identity = this.readIdentity();
    if (!identity) return;
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + this.config.presenceIntervalMs);
    await this.tree.join(this.member, identity, this.catchUpOnJoin);
  }

  /**
   * Each socket at the presence tick: closed when silent (nothing heard, not even a ping the
   * runtime answered while the room slept) or too slow, conflated when behind, and sent the
   * snapshot it is owed once its cooldown has passed.
   */
  private tendReaders(now: number): void {
    const head = this.head().seq;
    for (const ws of this.ctx.getWebSockets()) {
      const reader = this.book.get(ws);
      if (!reader || ws.readyState !== WS_OPEN) continue;
      const autoResponseAt = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
      const verdict = judgeReader(reader, head, now, autoResponseAt, this.readerPolicy);
      switch (verdict) {
        case "keep":
          if (reader.snapshotOwed && snapshotAllowed(reader.snapshotAt, now, this.config.snapshotCooldownMs))
            this.ctx.waitUntil(this.answer(ws));
          break;
        case "conflate":
          this.book.set(ws, { ...reader, lagging: true });
          break;
        case "tooSlow":
          this.closeWithRetry(ws, CLOSE_CODES.tooSlow, "too slow: reconnect for the newest state");
          break;
        case "silent":
          this.closeWithRetry(ws, CLOSE_CODES.silent, "silent: no heartbeat; reconnect");
          break;
        default:
          assertNever(verdict);
      }
    }
  }

  /** Closes with a jittered retry hint first, so readers cut in the same tick do not return together. */
  protected closeWithRetry(ws: WebSocket, code: number, reason: string): void {
    sendQuietly(ws, retryFrame(jitteredRetryMs(1000, 5000, Math.random), reason));
    closeQuietly(ws, code, reason);
  }
}
