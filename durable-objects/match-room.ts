import { closeQuietly, sendQuietly, WS_OPEN } from "../edge/close-quietly.ts";
import { InFlight } from "../edge/in-flight.ts";
import { inSlices } from "../edge/in-slices.ts";
import type { AnswerSent } from "../edge/resume-meter.ts";
import * as stream from "../edge/room-stream.ts";
import { fastReadFor } from "../fast-read/fast-read-config.ts";
import { coalescedFrames, momentFrame, presenceFrame, versionFrames } from "../protocol/frames.ts";
import { CLOSE_CODES } from "../protocol/live-messages.ts";
import type { Moment } from "../protocol/moments.ts";
import type { Publication, PublishedPatch, ResumeAnswer } from "../protocol/publication.ts";
import type { MatchHandoff, RoomIdentity } from "../protocol/room-handoff.ts";
import { stateAsJson } from "../protocol/state-json.ts";
import type { TreeParent } from "../rpc/fanout.ts";
import { ledgerStub, ledgerTreeRoot } from "../rpc/ledger.ts";
import { type RoomRpc, roomStub } from "../rpc/room.ts";
import { TreeNodeStore } from "../storage/tree-node-store.ts";
import { VersionRing } from "../storage/version-ring.ts";
import { FanoutRoom } from "./fanout-room.ts";

/**
 * One room of a match: its viewers in one region, one shard, on the fan-out core (admission,
 * meters, silence and slow-reader rules, the tree, sliced broadcasts: ./fanout-room.ts). What is
 * its own: the match's version stream (patches in order, coalesced when behind, a ring for
 * resumes, pulls from the ledger for what it missed), viewer sync (replay or snapshot, gzipped
 * once per version), and moments. Every stream decision is edge/room-stream.ts's. It never
 * writes match state.
 */
export class MatchRoom extends FanoutRoom<RoomIdentity, Publication, "match"> implements RoomRpc {
  protected readonly feed = "match";
  private readonly ring: VersionRing;
  /** Ledger pulls in flight, by history and seq: identical ones (a resume flood, a herd) share one call. */
  private readonly pulls = new InFlight<ResumeAnswer | null>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ring = new VersionRing(ctx.storage.sql, this.node, this.config.ringSize);
  }

  protected identityOf({ matchId, region, shard }: MatchHandoff): RoomIdentity {
    return { matchId, region, shard };
  }

  protected readIdentity(): RoomIdentity | null {
    const [position, matchId] = [this.node.position(), this.node.get("matchId")];
    return position && matchId ? { ...position, matchId } : null;
  }

  protected writeIdentity(identity: RoomIdentity): void {
    this.node.setPosition(identity);
    this.node.set("matchId", identity.matchId);
  }

  protected root({ matchId, region }: RoomIdentity): TreeParent {
    return ledgerTreeRoot(this.env, matchId, region);
  }

  protected shard({ matchId, region }: RoomIdentity, shard: number): RoomRpc {
    return roomStub(this.env, matchId, region, shard);
  }

  protected head(): stream.Head {
    return this.ring.head();
  }

  protected hasState(): boolean {
    return this.ring.state !== null;
  }

  /** Its wire format and snapshot encoding; tagged by `moments` when asked, so a version's moments find it by tag. */
  protected override socketOf({ format, bridge, snapshot, moments }: MatchHandoff) {
    const extras = { format, gzip: snapshot === "gzip" && !bridge, moments: moments && !bridge };
    return { tags: extras.moments ? [MOMENTS_TAG] : [], extras };
  }

  protected welcome(ws: WebSocket, handoff: MatchHandoff): Promise<AnswerSent> {
    return this.answer(ws, handoff.since, handoff.epoch);
  }

  /**
   * Brings a viewer in step, soon. A replay the ring cannot serve needs the ledger: that read
   * happens here, shared with every identical pull in flight, before the viewer joins the
   * queue, so neither a slow ledger nor a flood of resumes holds up the versions behind it.
   */
  protected async answer(ws: WebSocket, since?: number, epoch?: string): Promise<AnswerSent> {
    const identity = this.readIdentity();
    if (!identity) return { bytes: 0, seq: this.head().seq };
    const head = this.head();
    const from = stream.ledgerPullSince(
      stream.planSync(head, since, epoch),
      (s) => this.ring.since(s) !== null,
    );
    const pulled =
      from === null
        ? undefined
        : await this.pull(identity, head.epoch ?? "", from).catch((error) => {
            console.error("room resume pull failed", this.describe(), String(error));
            return null; // the viewer gets the snapshot instead
          });
    return this.enqueue(() => this.sync(identity, ws, since, epoch, pulled));
  }

  /**
   * The versions from the parent, in order (edge/room-stream.ts `planArrivals`): a run of
   * consecutive ones goes to the sockets as one coalesced patch (docs/protocol.md), so a room that
   * fell behind catches up in one send; each run's moments follow it, so a viewer's state already
   * shows them; a hole is pulled before the rest.
   */
  protected async receive(batch: Publication[]): Promise<void> {
    const identity = this.readIdentity();
    for (let rest = batch; identity && rest.length > 0; ) {
      const plan = stream.planArrivals(this.head(), rest);
      for (const step of plan.steps) {
        if (step.kind === "hole") {
          await this.catchUp(identity);
          continue;
        }
        if (step.kind === "reset") await this.resetTo(identity, step.publication);
        else
          await this.deliver(
            identity,
            step.patches.map((p) => this.accept(identity, p, p)),
          );
        await this.announce(identity, step.kind === "run" ? step.moments : (step.publication.moments ?? []));
      }
      rest = plan.rest;
    }
  }

  /** The room owns its offset: it pulls the versions it missed from the ledger, which coalesces identical pulls. */
  protected async catchUp(identity: RoomIdentity): Promise<void> {
    const head = this.head();
    const answer = await this.pull(identity, head.epoch ?? "", head.seq);
    const outcome = stream.pullOutcome(identity.matchId, head, answer);
    if (outcome.kind === "reset") await this.resetTo(identity, outcome.publication);
    if (outcome.kind !== "deliver" || !answer) return;
    const { matchId } = identity;
    const entries = outcome.patches.map((patch) =>
      this.accept(identity, patch, { kind: "patch", matchId, epoch: answer.epoch, ...patch }),
    );
    await this.deliver(identity, entries);
    // A pull carries no moments: those of the pulled versions, for the sockets that want them.
    if (this.ctx.getWebSockets(MOMENTS_TAG).length === 0) return;
    const pulled = await ledgerStub(this.env, matchId)
      .momentsAfter(head.seq, MAX_PULLED_MOMENTS)
      .catch(() => null);
    const last = entries.at(-1)?.seq ?? head.seq;
    await this.announce(
      identity,
      (pulled ?? []).filter((m) => m.seq <= last),
    );
  }

  /** Presence: one batch per room per tick to the fast-read layer, and a frame to the sockets. */
  protected override async tick(identity: RoomIdentity, now: number): Promise<void> {
    const presence = { ...identity, viewers: this.localViewers(), at: now };
    this.ctx.waitUntil(fastReadFor(this.env).fastRead.reportPresence(presence));
    const { total, stale } = this.audience();
    // In the queue: a presence frame never overtakes the version whose seq it names.
    await this.enqueue(() =>
      this.broadcast(presenceFrame(identity.matchId, this.head().seq, total, { stale })),
    );
  }

  protected override onIdle(): void {
    this.ring.state = null;
  }

  async remove(): Promise<void> {
    const identity = this.readIdentity();
    for (const ws of this.ctx.getWebSockets())
      closeQuietly(ws, CLOSE_CODES.unknownMatch, "this match was removed");
    if (identity)
      await Promise.allSettled(this.node.children().map((c) => this.shard(identity, c.shard).remove()));
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The tables again, empty, on the same handle.
    new TreeNodeStore(this.ctx.storage.sql);
    this.node.forget();
    new VersionRing(this.ctx.storage.sql, this.node, this.config.ringSize);
    this.ring.state = null;
    this.tree.viewers = null;
  }

  // ---------------------------------------------------------------------------------------

  /** A new version: on to the children at once (their sockets are served in parallel with ours), then ours. */
  private accept(identity: RoomIdentity, entry: PublishedPatch, publication: Publication): PublishedPatch {
    this.forward(identity, publication);
    this.ring.accept(entry);
    return entry;
  }

  /** Moments to the sockets that asked for them, in slices like any broadcast. */
  private async announce(identity: RoomIdentity, moments: readonly Moment[]): Promise<void> {
    if (moments.length === 0) return;
    const frames = moments.map((m) => momentFrame(identity.matchId, m));
    await this.broadcast(() => frames, MOMENTS_TAG);
  }

  /** Accepted versions out to the sockets: one frame per version, or one for a run of them. */
  private async deliver(identity: RoomIdentity, entries: PublishedPatch[]): Promise<void> {
    const [only] = entries;
    if (!only) return;
    if (entries.length === 1) {
      const frames = versionFrames(identity.matchId, only, false);
      return this.broadcast((format) => [frames[format]]);
    }
    const frames = coalescedFrames(identity.matchId, entries);
    await this.broadcast((format) => frames[format]);
  }

  /** A new history (or a state the ring cannot reach): every viewer gets the whole state. */
  private async resetTo(identity: RoomIdentity, reset: Reset): Promise<void> {
    this.forward(identity, reset);
    this.ring.resetTo(reset.epoch, reset.seq, reset.state);
    // Each socket in its own encoding (serialised, and gzipped, once per version): a snapshot like any other.
    const ready = this.ctx.getWebSockets().filter((ws) => this.book.receivesBroadcasts(ws));
    await inSlices(ready, async (ws) => {
      sendQuietly(ws, await this.ring.snapshot(identity.matchId, this.book.get(ws)?.gzip === true));
    });
  }

  /** One ledger read per history and seq at a time, however many ask. */
  private pull(identity: RoomIdentity, epoch: string, since: number): Promise<ResumeAnswer | null> {
    return this.pulls.run(stream.pullKey(epoch, since), () =>
      ledgerStub(this.env, identity.matchId).resume(identity.matchId, epoch, since),
    );
  }

  /**
   * A viewer's first messages (or its answer to a resume): the missed versions when the plan says
   * replay and the ring, or behind it the ledger's log (`pulled`), reaches back; otherwise the
   * state, at most once per cooldown per socket. Runs in the queue, so no version can slip in
   * between. Says what it sent, for the resume meter.
   */
  private async sync(
    identity: RoomIdentity,
    ws: WebSocket,
    since: number | undefined,
    epoch: string | undefined,
    pulled: ResumeAnswer | null | undefined,
  ): Promise<AnswerSent> {
    if (ws.readyState !== WS_OPEN) return { bytes: 0, seq: this.head().seq };
    await this.ensureState(identity);
    const head = this.head();
    const plan = stream.planSync(head, since, epoch);
    if (plan.kind === "replay") {
      const answer = pulled !== undefined ? pulled : await this.pull(identity, head.epoch ?? "", plan.since);
      // The room may have moved on while the answer was read: the ring covers the rest.
      const tail = answer?.kind === "patches" && answer.seq < head.seq ? this.ring.since(answer.seq) : [];
      const patches = this.ring.since(plan.since) ?? stream.replayFromLedger(head, plan.since, answer, tail);
      if (patches) {
        const format = this.book.get(ws)?.format ?? "json-patch";
        const { total, stale } = this.audience();
        const frames = patches.map((p) => versionFrames(identity.matchId, p, true)[format]);
        frames.push(presenceFrame(identity.matchId, head.seq, total, { stale, resumed: true }));
        return this.sendAll(ws, frames, head.seq);
      }
    }
    const now = Date.now();
    if (this.snapshotDeferred(ws, now)) return { bytes: 0, seq: head.seq };
    const snapshot = await this.ring.snapshot(identity.matchId, this.book.get(ws)?.gzip === true);
    return this.sendAll(ws, [snapshot], head.seq, now);
  }

  /**
   * The state at the head version, read from the ledger after hibernation (once, for every viewer
   * waiting). Behind the ledger with no state: pull what can be pulled, then take the state at
   * the version reached (the ledger's newest may still be completing its publication).
   */
  private async ensureState(identity: RoomIdentity): Promise<void> {
    if (this.ring.state !== null) return; // the common case: no stub, no call
    const ledger = ledgerStub(this.env, identity.matchId);
    for (let attempt = 0; attempt < 3 && this.ring.state === null; attempt++) {
      const snapshot = await ledger.snapshot();
      const head = this.head();
      if (!snapshot) return this.ring.reset(head.epoch ?? "0", 0);
      const state = stateAsJson(snapshot.state);
      const { epoch, seq } = snapshot;
      if (epoch !== head.epoch || seq < head.seq)
        await this.resetTo(identity, { kind: "reset", matchId: identity.matchId, epoch, seq, state });
      else if (snapshot.seq === head.seq) this.ring.state = state;
      else {
        await this.catchUp(identity);
        const reached = this.head();
        const at = this.ring.state === null ? await ledger.snapshot(reached.seq) : null;
        if (at && at.epoch === reached.epoch && at.seq === this.head().seq)
          this.ring.state = stateAsJson(at.state);
      }
    }
  }
}

type Reset = Extract<Publication, { kind: "reset" }>;

/** The tag of the sockets that asked for `moment` messages (`?moments=1`). */
const MOMENTS_TAG = "moments";

/** Moments of a pulled run sent to the sockets that want them (the HTTP route has every one). */
const MAX_PULLED_MOMENTS = 500;
