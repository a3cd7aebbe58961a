import { DurableObject } from "cloudflare:workers";
import jsonPatch from "fast-json-patch";
import { fastReadFor } from "../adapters/fast-read-config.ts";
import { readConfig } from "../config/crease-config.ts";
import { AdmissionBucket, jitteredRetryMs } from "../edge/admission.ts";
import { FRAME_COSTS, type FrameMeterPolicy, meterFrame } from "../edge/frame-meter.ts";
import { InFlight } from "../edge/in-flight.ts";
import {
  type AnswerSent,
  acknowledgeAnswers,
  chargeAnswer,
  frameBytes,
  judgeResume,
  RESUME_METER_POLICY,
  RESUME_REFUSALS,
  startAnswer,
} from "../edge/resume-meter.ts";
import type { RoomConfig } from "../edge/room-config.ts";
import { RoomStore } from "../edge/room-store.ts";
import {
  behindUpstream,
  classifyArrival,
  expiredChildren,
  type Head,
  judgeReader,
  ledgerPullSince,
  planSync,
  pullKey,
  pullOutcome,
  replayFromLedger,
  type SlowReaderPolicy,
  snapshotAllowed,
} from "../edge/room-stream.ts";
import { SnapshotCache } from "../edge/snapshot-cache.ts";
import type { SocketAttachment } from "../edge/socket-attachment.ts";
import { SocketBook } from "../edge/socket-book.ts";
import { stateAsJson } from "../origin/ledger/publisher.ts";
import { assertNever } from "../protocol/assert-never.ts";
import {
  coalescedFrames,
  momentFrame,
  presenceFrame,
  retryFrame,
  snapshotFrame,
  versionFrames,
} from "../protocol/frames.ts";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  type JsonValue,
  parseClientMessage,
  SUBPROTOCOL,
} from "../protocol/live-messages.ts";
import type { Moment } from "../protocol/moments.ts";
import type { Publication, PublishedPatch, ResumeAnswer } from "../protocol/publication.ts";
import { parseHandoff, refusalResponse } from "../protocol/room-handoff.ts";
import { LIVE_FORMATS, type LiveFormat } from "../protocol/state-delta.ts";
import { closeQuietly, sendQuietly, WS_OPEN } from "./close-quietly.ts";
import { describe, RoomTree } from "./room-tree.ts";
import type { RoomIdentity, RoomRpc, RoomStats, Upstream } from "./rpc.ts";
import { ledgerStub } from "./stubs.ts";

/**
 * One room: the viewers of one match in one region, up to a cap, with hibernating WebSockets.
 * A thin shell: the handoff and frames are parsed and encoded by protocol/, every stream
 * decision is asked of edge/room-stream.ts, the tree's RPCs live in ./room-tree.ts; this class
 * holds the sockets and the storage and carries the answers out. It never writes match state.
 */
export class MatchRoom extends DurableObject<Env> implements RoomRpc {
  private readonly store: RoomStore;
  private readonly config: RoomConfig;
  private readonly tree: RoomTree;
  private readonly admission: AdmissionBucket;
  /** The state at the head version, or null after hibernation until a viewer needs a snapshot. */
  private state: JsonValue | null = null;
  /** Versions and viewer syncs are handled one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();
  private viewers: { total: number; stale: boolean } | null = null;
  /** Ledger pulls in flight, by history and seq: identical ones (a resume flood, a herd) share one call. */
  private readonly pulls = new InFlight<ResumeAnswer | null>();
  private readonly meterPolicy: FrameMeterPolicy;
  private readonly readerPolicy: SlowReaderPolicy;
  /** Every socket's attachment, read once per wake-up instead of once per broadcast. */
  private readonly book = new SocketBook<WebSocket>();
  /** The head version's snapshot, serialised (and gzipped) once for every viewer who joins at it. */
  private readonly snapshots = new SnapshotCache();
  /** Publications from the parent not yet taken by the queue. */
  private readonly arrived: Publication[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readConfig(env).room;
    this.store = new RoomStore(ctx.storage.sql, this.config.ringSize);
    this.tree = new RoomTree(env, this.config.fanout, this.config.maxShards);
    this.admission = new AdmissionBucket(this.config.admitPerSecond, this.config.admitBurst, Date.now());
    this.meterPolicy = { burst: this.config.frameBurst, perSecond: this.config.framePerSecond };
    this.readerPolicy = {
      behindVersions: this.config.slowBehindVersions,
      afterMs: this.config.slowAfterMs,
      closeAfterMs: this.config.slowCloseAfterMs,
      silentAfterMs: this.config.silentAfterMs,
    };
    // Heartbeats are answered by the runtime without waking the object: a quiet audience costs no CPU.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** A viewer's WebSocket, handed over by the Worker; a refusal when full or admitting too fast. */
  override async fetch(request: Request): Promise<Response> {
    const handoff = parseHandoff(request.headers);
    if (!handoff) return Response.json({ error: "bad room handoff" }, { status: 400 });
    const { since, epoch, bridge, format, snapshot, moments, ...identity } = handoff;
    this.remember(identity);
    const sockets = this.ctx.getWebSockets().length;
    if (sockets >= this.config.maxSockets) return refusalResponse({ refused: "full" });
    const now = Date.now();
    if (!this.admission.tryAdmit(now)) {
      return refusalResponse({ refused: "busy", retryAfterMs: jitteredRetryMs(1000, 4000, Math.random) });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    // Tagged by wire format, so a broadcast serialises each format once and picks its sockets by
    // tag; and by `moments` when asked, so a version's moments find their sockets the same way.
    const wantsMoments = moments && !bridge;
    this.ctx.acceptWebSocket(server, wantsMoments ? [format, MOMENTS_TAG] : [format]);
    this.book.set(server, {
      joinedAt: now,
      ready: false,
      ackSeq: null,
      ackAt: null,
      lagging: false,
      bridge,
      format,
      heardAt: null,
      meter: null,
      snapshotAt: null,
      snapshotOwed: false,
      gzip: snapshot === "gzip" && !bridge,
      moments: wantsMoments,
      resume: null,
    } satisfies SocketAttachment);
    if (sockets === 0) this.ctx.waitUntil(this.activate());
    this.ctx.waitUntil(this.syncSoon(server, since, epoch));
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    const headers = offered.split(",").some((p) => p.trim() === SUBPROTOCOL)
      ? { "sec-websocket-protocol": SUBPROTOCOL }
      : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  // --- the publication tree (RPC) --------------------------------------------------------

  async publish(publication: Publication): Promise<{ active: boolean }> {
    // Whatever arrives while the room is busy is taken together by the next turn of the queue.
    this.arrived.push(publication);
    await this.enqueue(() => this.receiveArrived());
    return { active: this.isActive() };
  }

  async registerChild(identity: RoomIdentity, viewers: number): Promise<Upstream> {
    this.remember(this.tree.parentIdentity(identity));
    const wasActive = this.isActive();
    this.store.putChild(identity.shard, viewers, Date.now());
    if (!wasActive) await this.activate();
    const head = this.store.head();
    return { viewers: this.viewers?.total ?? this.localViewers(), seq: head.seq, epoch: head.epoch };
  }

  async unregisterChild(shard: number): Promise<void> {
    this.store.removeChild(shard);
  }

  async stats(): Promise<RoomStats> {
    const head = this.store.head();
    const children = this.store.children().map((c) => c.shard);
    const sockets = this.ctx.getWebSockets().length;
    return { sockets, children, seq: head.seq, epoch: head.epoch, hasState: this.state !== null };
  }

  async remove(): Promise<void> {
    const identity = this.store.identity();
    for (const ws of this.ctx.getWebSockets())
      closeQuietly(ws, CLOSE_CODES.unknownMatch, "this match was removed");
    if (identity)
      await this.tree.removeChildren(
        identity,
        this.store.children().map((c) => c.shard),
      );
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    new RoomStore(this.ctx.storage.sql, this.config.ringSize); // the tables again, empty, on the same handle
    this.state = null;
    this.viewers = null;
  }

  /**
   * The presence tick, the only periodic wake-up a room has (while anyone is here): expire
   * silent children, report viewers up the tree (learning the match's total and the parent's
   * version on the way back), tell the sockets, and judge slow readers.
   */
  override async alarm(): Promise<void> {
    const identity = this.store.identity();
    if (!identity) return;
    const now = Date.now();
    for (const shard of expiredChildren(this.store.children(), now, this.config.childTimeoutMs)) {
      this.store.removeChild(shard);
    }
    if (!this.isActive()) {
      await this.tree.leave(identity).catch(() => undefined); // the parent prunes silent children anyway
      this.state = null;
      return;
    }
    await this.reportUp(identity);
    // One batch per room per tick to the fast-read layer, never one write per socket; guarded, never awaited by the feed.
    const presence = { ...identity, viewers: this.localViewers(), at: now };
    this.ctx.waitUntil(fastReadFor(this.env).fastRead.reportPresence(presence));
    const viewers = this.viewers ?? { total: this.localViewers(), stale: true };
    // In the queue: a presence frame never overtakes the version whose seq it names.
    await this.enqueue(() =>
      this.broadcast(
        presenceFrame(identity.matchId, this.store.head().seq, viewers.total, { stale: viewers.stale }),
      ),
    );
    this.tendReaders(now);
    await this.ctx.storage.setAlarm(now + this.config.presenceIntervalMs);
  }

  // --- WebSocket events (the object may have just woken from hibernation) ----------------

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    // Frames still in the pipe from a socket the room has closed (the rest of a flood) cost nothing more.
    if (ws.readyState !== WS_OPEN) return;
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) return closeQuietly(ws, CLOSE_CODES.policyViolation, parsed.reason);
    const attachment = this.book.get(ws);
    if (!attachment)
      return closeQuietly(ws, CLOSE_CODES.internalError, "lost track of this connection; reconnect");
    const message = parsed.message;
    const now = Date.now();
    const metered = meterFrame(attachment.meter, FRAME_COSTS[message.type], now, this.meterPolicy);
    if (!metered.allowed) return closeQuietly(ws, CLOSE_CODES.policyViolation, "rate limited");
    const heard = { ...attachment, meter: metered.meter, heardAt: now };
    switch (message.type) {
      case "ping": {
        if (message.seq === undefined) return this.book.set(ws, heard);
        const resume = acknowledgeAnswers(attachment.resume, message.seq);
        this.book.set(ws, { ...heard, ackSeq: message.seq, ackAt: now, lagging: false, resume });
        // A conflated reader that speaks again gets the newest state in one go, not the backlog.
        if (attachment.lagging) await this.enqueue(() => this.sync(ws, undefined, undefined));
        return;
      }
      case "subscribe":
      case "resume": {
        // Charged by what its answer sends (edge/resume-meter.ts), not only by the frame.
        const verdict = judgeResume(attachment.resume, now, RESUME_METER_POLICY);
        if (verdict === "answering") return this.book.set(ws, heard);
        if (verdict !== "answer")
          return this.closeWithRetry(ws, CLOSE_CODES.tooSlow, RESUME_REFUSALS[verdict]);
        const resume = startAnswer(attachment.resume, now, RESUME_METER_POLICY);
        this.book.set(ws, { ...heard, ready: false, resume });
        let sent: AnswerSent = { bytes: 0, seq: this.store.head().seq };
        try {
          sent = await this.syncSoon(ws, message.since, message.epoch);
        } finally {
          const answered = this.book.get(ws)?.resume ?? resume;
          this.book.update(ws, { resume: chargeAnswer(answered, sent, Date.now(), RESUME_METER_POLICY) });
        }
        return;
      }
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
    this.queue = run.catch((error) =>
      console.error("room task failed", describe(this.store.identity()), String(error)),
    );
    return run;
  }

  private remember(identity: RoomIdentity): void {
    if (!this.store.identity() && identity.region !== "") this.store.setIdentity(identity);
  }

  private isActive(): boolean {
    return this.ctx.getWebSockets().length > 0 || this.store.children().length > 0;
  }

  private localViewers(): number {
    return this.ctx.getWebSockets().length;
  }

  private ledger(identity: RoomIdentity) {
    return ledgerStub(this.env, identity.matchId);
  }

  private async activate(): Promise<void> {
    const identity = this.store.identity();
    if (!identity) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + this.config.presenceIntervalMs);
    }
    try {
      const upstream = await this.tree.join(identity, this.localViewers());
      if (upstream) this.viewers = { total: upstream.viewers, stale: false };
    } catch (error) {
      // The presence tick registers again (reports double as registrations).
      console.error("room registration failed", describe(identity), String(error));
    }
  }

  private async reportUp(identity: RoomIdentity): Promise<void> {
    const head = this.store.head();
    const viewers = this.localViewers() + this.store.children().reduce((n, c) => n + c.viewers, 0);
    try {
      const upstream = await this.tree.report(identity, viewers, head.seq);
      this.viewers = { total: Math.max(upstream.viewers, viewers), stale: false };
      if (behindUpstream(head, upstream)) await this.enqueue(() => this.catchUp(identity));
    } catch (error) {
      this.viewers = { total: this.viewers?.total ?? viewers, stale: true };
      console.error("room report failed", describe(identity), String(error));
    }
  }

  /**
   * The versions from the parent that arrived since the queue last looked, in order. A run of
   * consecutive ones goes to the sockets as one coalesced patch (docs/protocol.md): a room that
   * fell behind catches up in one send instead of falling further behind.
   */
  private async receiveArrived(): Promise<void> {
    const identity = this.store.identity();
    const batch = this.arrived.splice(0);
    if (!identity) return;
    let run: PublishedPatch[] = [];
    let moments: Moment[] = [];
    // Each version's moments go out right behind it: a viewer's state already shows them.
    const flush = async () => {
      const [entries, announced] = [run, moments];
      [run, moments] = [[], []];
      await this.deliver(identity, entries);
      await this.announce(identity, announced);
    };
    for (const publication of batch) {
      const arrival = classifyArrival(this.store.head(), publication);
      switch (arrival) {
        case "reset":
          await flush();
          if (publication.kind === "reset") await this.resetTo(identity, publication);
          await this.announce(identity, publication.moments ?? []);
          break;
        case "next":
          if (publication.kind === "patch") run.push(this.accept(identity, publication, publication));
          moments.push(...(publication.moments ?? []));
          break;
        case "duplicate":
          break;
        case "hole":
          await flush();
          await this.catchUp(identity); // what we missed, which includes this one
          break;
        default:
          assertNever(arrival);
      }
    }
    await flush();
  }

  /** The room owns its offset: it pulls the versions it missed from the ledger, which coalesces identical pulls. */
  private async catchUp(identity: RoomIdentity): Promise<void> {
    const head = this.store.head();
    const answer = await this.pull(identity, head.epoch ?? "", head.seq);
    const outcome = pullOutcome(identity.matchId, head, answer);
    if (outcome.kind === "reset") await this.resetTo(identity, outcome.publication);
    if (outcome.kind !== "deliver" || !answer) return;
    const { matchId } = identity;
    const entries = outcome.patches.map((patch) =>
      this.accept(identity, patch, { kind: "patch", matchId, epoch: answer.epoch, ...patch }),
    );
    await this.deliver(identity, entries);
    // A pull carries no moments: those of the pulled versions, for the sockets that want them.
    if (this.wantsMoments()) {
      const moments = await this.ledger(identity)
        .momentsAfter(head.seq, MAX_PULLED_MOMENTS)
        .catch(() => null);
      await this.announce(
        identity,
        (moments ?? []).filter((m) => m.seq <= (entries.at(-1)?.seq ?? head.seq)),
      );
    }
  }

  private wantsMoments(): boolean {
    return this.ctx.getWebSockets(MOMENTS_TAG).length > 0;
  }

  /** A new version: on to the children at once, into the ring, onto the state if we hold it. */
  private accept(identity: RoomIdentity, entry: PublishedPatch, publication: Publication): PublishedPatch {
    // Children first: their sockets are served in parallel with ours.
    this.forward(identity, publication);
    this.store.advance(entry);
    this.snapshots.clear();
    if (this.state) {
      try {
        this.state = jsonPatch.applyPatch(this.state, entry.ops, false, false).newDocument as JsonValue;
      } catch {
        this.state = null; // pulled again when a viewer needs a snapshot
      }
    }
    return entry;
  }

  /** Moments to the sockets that asked for them, in slices like any broadcast. */
  private async announce(identity: RoomIdentity, moments: readonly Moment[]): Promise<void> {
    if (moments.length === 0) return;
    const frames = moments.map((m) => momentFrame(identity.matchId, m));
    const asked = this.ctx.getWebSockets(MOMENTS_TAG).filter((ws) => this.book.receivesBroadcasts(ws));
    await inSlices(asked, (ws) => {
      for (const frame of frames) sendQuietly(ws, frame);
    });
  }

  /** Accepted versions out to the sockets: one frame per version, or one for a run of them. */
  private async deliver(identity: RoomIdentity, entries: PublishedPatch[]): Promise<void> {
    const [only] = entries;
    if (entries.length === 0 || !only) return;
    if (entries.length === 1) {
      const frames = versionFrames(identity.matchId, only, false);
      return this.broadcast((format) => [frames[format]]);
    }
    const frames = coalescedFrames(identity.matchId, entries);
    await this.broadcast((format) => frames[format]);
  }

  /** A new history (or a state the ring cannot reach): every viewer gets the whole state. */
  private async resetTo(
    identity: RoomIdentity,
    reset: Extract<Publication, { kind: "reset" }>,
  ): Promise<void> {
    this.forward(identity, reset);
    this.store.reset(reset.epoch, reset.seq);
    this.state = reset.state;
    this.snapshots.clear();
    // Each socket in its own encoding: the reset is a snapshot like any other.
    const ready = this.ctx.getWebSockets().filter((ws) => this.book.receivesBroadcasts(ws));
    await inSlices(ready, async (ws) => {
      await this.sendSnapshot(ws, identity.matchId);
    });
  }

  private forward(identity: RoomIdentity, publication: Publication): void {
    const children = this.store.children().map((c) => c.shard);
    if (children.length === 0) return;
    this.ctx.waitUntil(
      this.tree.forward(identity, children, publication).then((gone) => {
        for (const shard of gone) this.store.removeChild(shard);
      }),
    );
  }

  /**
   * Brings a viewer in step, soon. A replay the ring cannot serve needs the ledger: that read
   * happens here, shared with every identical pull in flight, before the viewer joins the
   * queue, so neither a slow ledger nor a flood of resumes holds up the versions behind it.
   */
  private async syncSoon(
    ws: WebSocket,
    since: number | undefined,
    epoch: string | undefined,
  ): Promise<AnswerSent> {
    const identity = this.store.identity();
    if (!identity) return { bytes: 0, seq: this.store.head().seq };
    const head = this.store.head();
    const from = ledgerPullSince(planSync(head, since, epoch), (s) => this.store.ringSince(s) !== null);
    const pulled =
      from === null
        ? undefined
        : await this.pull(identity, head.epoch ?? "", from).catch((error) => {
            console.error("room resume pull failed", describe(identity), String(error));
            return null; // the viewer gets the snapshot instead
          });
    return this.enqueue(() => this.sync(ws, since, epoch, pulled));
  }

  /** One ledger read per history and seq at a time, however many ask. */
  private pull(identity: RoomIdentity, epoch: string, since: number): Promise<ResumeAnswer | null> {
    return this.pulls.run(pullKey(epoch, since), () =>
      this.ledger(identity).resume(identity.matchId, epoch, since),
    );
  }

  /**
   * A viewer's first messages (or its answer to a resume): the missed versions when the plan
   * says replay and the ring, or behind it the ledger's log (`pulled`: already read, when
   * defined), reaches back; otherwise the state, at most once per cooldown per socket. Runs in
   * the queue, so no version can slip in between. Says what it sent, for the resume meter.
   */
  private async sync(
    ws: WebSocket,
    since: number | undefined,
    epoch: string | undefined,
    pulled?: ResumeAnswer | null,
  ): Promise<AnswerSent> {
    const identity = this.store.identity();
    if (!identity || ws.readyState !== WS_OPEN) return { bytes: 0, seq: this.store.head().seq };
    await this.ensureState(identity);
    const head = this.store.head();
    const plan = planSync(head, since, epoch);
    if (plan.kind === "replay") {
      const patches =
        this.store.ringSince(plan.since) ?? (await this.replayFromLedger(identity, head, plan.since, pulled));
      if (patches) {
        const format = this.book.get(ws)?.format ?? "json-patch";
        const { total, stale } = this.viewers ?? { total: this.localViewers(), stale: true };
        const frames = patches.map((p) => versionFrames(identity.matchId, p, true)[format]);
        frames.push(presenceFrame(identity.matchId, head.seq, total, { stale, resumed: true }));
        for (const frame of frames) sendQuietly(ws, frame);
        this.markReady(ws);
        return { bytes: frames.reduce((n, f) => n + frameBytes(f), 0), seq: head.seq };
      }
    }
    const now = Date.now();
    const attachment = this.book.get(ws);
    if (attachment && !snapshotAllowed(attachment.snapshotAt, now, this.config.snapshotCooldownMs)) {
      // Owed, not refused: the first presence tick after the cooldown sends it.
      this.book.set(ws, { ...attachment, ready: false, snapshotOwed: true });
      return { bytes: 0, seq: head.seq };
    }
    const bytes = await this.sendSnapshot(ws, identity.matchId);
    this.markReady(ws, now);
    return { bytes, seq: head.seq };
  }

  /** The head's snapshot, in the socket's encoding: serialised (and gzipped) once per version, whoever asks. */
  private async sendSnapshot(ws: WebSocket, matchId: string): Promise<number> {
    const head = this.store.head();
    // A match with no events yet has no history: an empty one at version 0.
    const epoch = head.epoch ?? "0";
    const state = this.state;
    const key = `${epoch}:${head.seq}`;
    const build = () => snapshotFrame(matchId, epoch, head.seq, state);
    const frame = this.book.get(ws)?.gzip
      ? await this.snapshots.gzip(key, build)
      : this.snapshots.text(key, build);
    sendQuietly(ws, frame);
    return frameBytes(frame);
  }

  /** The ledger's answer for a replay (read now if it was not read before queueing), joined to the ring. */
  private async replayFromLedger(
    identity: RoomIdentity,
    head: Head,
    since: number,
    pulled: ResumeAnswer | null | undefined,
  ): Promise<PublishedPatch[] | null> {
    const answer = pulled !== undefined ? pulled : await this.pull(identity, head.epoch ?? "", since);
    // The room may have moved on while the answer was read: the ring covers the rest.
    const tail = answer?.kind === "patches" && answer.seq < head.seq ? this.store.ringSince(answer.seq) : [];
    return replayFromLedger(head, since, answer, tail);
  }

  /** The state at the head version, pulled from the ledger after hibernation (once, for all viewers waiting). */
  private async ensureState(identity: RoomIdentity): Promise<void> {
    for (let attempt = 0; attempt < 3 && this.state === null; attempt++) {
      const snapshot = await this.ledger(identity).snapshot();
      const head = this.store.head();
      if (!snapshot) {
        this.store.reset(head.epoch ?? "0", 0);
        return;
      }
      const state = stateAsJson(snapshot.state);
      if (snapshot.epoch === head.epoch && snapshot.seq === head.seq) this.state = state;
      else if (snapshot.epoch === head.epoch && snapshot.seq > head.seq)
        await this.catchUpWithState(identity);
      else {
        const { matchId } = identity;
        await this.resetTo(identity, {
          kind: "reset",
          matchId,
          epoch: snapshot.epoch,
          seq: snapshot.seq,
          state,
        });
      }
    }
  }

  /**
   * Behind the ledger with no state held: pull what can be pulled, then take the state at the
   * version reached (the ledger's newest may still be completing its publication).
   */
  private async catchUpWithState(identity: RoomIdentity): Promise<void> {
    await this.catchUp(identity);
    const head = this.store.head();
    if (this.state !== null) return;
    const at = await this.ledger(identity).snapshot(head.seq);
    const now = this.store.head();
    if (at && at.epoch === now.epoch && at.seq === now.seq) this.state = stateAsJson(at.state);
  }

  /** In step: broadcasts reach it again, and no snapshot is owed any more. */
  private markReady(ws: WebSocket, snapshotAt?: number): void {
    const attachment = this.book.get(ws);
    if (!attachment) return;
    this.book.set(ws, {
      ...attachment,
      ready: true,
      snapshotOwed: false,
      snapshotAt: snapshotAt ?? attachment.snapshotAt,
    });
  }

  /**
   * One serialisation per format, to every ready socket that keeps up, in slices that let the
   * rest of the isolate (an ingest's acknowledgement, a join) run between them. Workers sockets
   * have no backpressure signal.
   */
  private async broadcast(frame: string | ((format: LiveFormat) => string[])): Promise<void> {
    for (const format of LIVE_FORMATS) {
      const texts = typeof frame === "string" ? [frame] : frame(format);
      if (texts.length === 0) continue;
      const ready = this.ctx.getWebSockets(format).filter((ws) => this.book.receivesBroadcasts(ws));
      await inSlices(ready, (ws) => {
        for (const text of texts) sendQuietly(ws, text);
      });
    }
  }

  /**
   * Each socket at the presence tick: closed when silent (nothing heard, not even a ping the
   * runtime answered while the room slept) or too slow, conflated when behind, and sent the
   * snapshot it is owed once its cooldown has passed.
   */
  private tendReaders(now: number): void {
    const head = this.store.head().seq;
    for (const ws of this.ctx.getWebSockets()) {
      const reader = this.book.get(ws);
      if (!reader || ws.readyState !== WS_OPEN) continue;
      const autoResponseAt = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
      const verdict = judgeReader(reader, head, now, autoResponseAt, this.readerPolicy);
      switch (verdict) {
        case "keep":
          if (reader.snapshotOwed && snapshotAllowed(reader.snapshotAt, now, this.config.snapshotCooldownMs))
            this.ctx.waitUntil(this.enqueue(() => this.sync(ws, undefined, undefined)));
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
  private closeWithRetry(ws: WebSocket, code: number, reason: string): void {
    sendQuietly(ws, retryFrame(jitteredRetryMs(1000, 5000, Math.random), reason));
    closeQuietly(ws, code, reason);
  }
}

/** The tag of the sockets that asked for `moment` messages (`?moments=1`). */
const MOMENTS_TAG = "moments";

/** Moments of a pulled run sent to the sockets that want them (the HTTP route has every one). */
const MAX_PULLED_MOMENTS = 500;

/** Sockets served per turn of the event loop: a slice is a few milliseconds of sends. */
const SLICE = 256;

/**
 * Runs `each` over `items`, yielding to the event loop after every slice. Locally every object
 * shares one isolate, so a broadcast to thousands of sockets in one go holds up the ledger's
 * acknowledgement to the provider behind it; in production it holds up the room's own joins.
 */
async function inSlices<T>(items: readonly T[], each: (item: T) => void | Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const pending = each(items[i] as T);
    if (pending) await pending;
    if ((i + 1) % SLICE === 0 && i + 1 < items.length) await new Promise((r) => setTimeout(r, 0));
  }
}
