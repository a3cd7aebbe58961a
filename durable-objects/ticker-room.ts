import { readConfig } from "../config/crease-config.ts";
import { WS_OPEN } from "../edge/close-quietly.ts";
import type { AnswerSent } from "../edge/resume-meter.ts";
import { classifyTickerArrival, planTickerSync, syncFrames, viewerAhead } from "../edge/ticker-stream.ts";
import { assertNever } from "../protocol/assert-never.ts";
import type { RoomHandoff, TickerHandoff } from "../protocol/room-handoff.ts";
import { entryFrame, headlinesFrame, type TickerEntry, type TickerPublication } from "../protocol/ticker.ts";
import type { TreeParent } from "../rpc/fanout.ts";
import { matchIndexStub, tickerTreeRoot } from "../rpc/match-index.ts";
import { type TickerRoomIdentity, type TickerRoomRpc, tickerRoomStub } from "../rpc/ticker-room.ts";
import { HeadlineStore } from "../storage/headline-store.ts";
import { FanoutRoom } from "./fanout-room.ts";

/**
 * One ticker room: the ticker's viewers in one region, one shard, on the fan-out core (admission,
 * meters, silence and slow-reader rules, the tree, sliced broadcasts: ./fanout-room.ts). What is
 * its own: the headline stream, fed by the match index (the root) through the ticker tree, kept
 * with its ring in SQLite (storage/headline-store.ts), so hibernation loses nothing.
 */
export class TickerRoom
  extends FanoutRoom<TickerRoomIdentity, TickerPublication, TickerHandoff>
  implements TickerRoomRpc
{
  private readonly headlines: HeadlineStore;
  /** A room that had nobody may hold headlines from before it left: it catches up before answering anyone. */
  protected override readonly catchUpOnJoin = true;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.headlines = new HeadlineStore(ctx.storage.sql, this.node, readConfig(env).ticker.ringSize);
  }

  protected accepts(handoff: RoomHandoff): handoff is TickerHandoff {
    return handoff.feed === "ticker";
  }

  protected identityOf(handoff: TickerHandoff): TickerRoomIdentity {
    return { region: handoff.region, shard: handoff.shard };
  }

  protected readIdentity(): TickerRoomIdentity | null {
    return this.node.position();
  }

  protected writeIdentity(identity: TickerRoomIdentity): void {
    this.node.setPosition(identity);
  }

  protected root({ region }: TickerRoomIdentity): TreeParent {
    return tickerTreeRoot(this.env, region);
  }

  protected shard(identity: TickerRoomIdentity, shard: number): TickerRoomRpc {
    return tickerRoomStub(this.env, identity.region, shard);
  }

  protected head() {
    return this.headlines.head();
  }

  protected hasState(): boolean {
    return this.headlines.hasState();
  }

  protected async welcome(ws: WebSocket, { since, epoch }: TickerHandoff, joined: Promise<void>) {
    return joined.catch(() => undefined).then(() => this.answer(ws, since, epoch));
  }

  protected answer(ws: WebSocket, since?: number, epoch?: string): Promise<AnswerSent> {
    return this.enqueue(() => this.sync(ws, since, epoch));
  }

  protected async receive(batch: TickerPublication[]): Promise<void> {
    const identity = this.readIdentity();
    if (!identity) return;
    for (const publication of batch) {
      if (!this.hasState()) return this.catchUp(identity);
      const arrival = classifyTickerArrival(this.head(), publication);
      switch (arrival.kind) {
        case "full":
          if (publication.kind === "full") await this.replace(identity, publication);
          break;
        case "next":
          await this.advance(identity, publication.epoch, arrival.entries);
          break;
        case "duplicate":
          break;
        case "hole":
          return this.catchUp(identity);
        default:
          assertNever(arrival);
      }
    }
  }

  /** Pulls what this room missed (or everything) from the match index. */
  protected async catchUp(identity: TickerRoomIdentity): Promise<void> {
    const head = this.head();
    const answer = await matchIndexStub(this.env).tickerSince(head.epoch, head.seq);
    if (answer.kind === "full") return this.replace(identity, answer);
    const arrival = classifyTickerArrival(head, answer);
    if (arrival.kind === "next") await this.advance(identity, answer.epoch, arrival.entries);
  }

  private async advance(identity: TickerRoomIdentity, epoch: string, entries: TickerEntry[]): Promise<void> {
    this.headlines.advance(entries);
    this.forward(identity, { kind: "changes", epoch, entries });
    const frames = entries.map((entry) => entryFrame(entry, false));
    await this.broadcast(() => frames);
  }

  private async replace(identity: TickerRoomIdentity, full: Extract<TickerPublication, { kind: "full" }>) {
    const head = this.head();
    if (head.epoch === full.epoch && head.seq === full.seq && this.hasState()) return;
    this.headlines.replace(full.epoch, full.seq, full.headlines);
    this.forward(identity, full);
    await this.broadcast(headlinesFrame(full.epoch, full.seq, full.headlines));
  }

  /** A viewer's first frames, or its answer to a resume: the changes it missed, else every headline. */
  private async sync(ws: WebSocket, since?: number, epoch?: string): Promise<AnswerSent> {
    const identity = this.readIdentity();
    if (ws.readyState !== WS_OPEN || !identity) return { bytes: 0, seq: this.head().seq };
    if (!this.hasState() || viewerAhead(this.head(), since, epoch)) await this.catchUp(identity);
    const head = this.head();
    const plan = planTickerSync(head, since, epoch, (from) => this.headlines.since(from));
    return this.sendAll(
      ws,
      syncFrames(plan, head, () => this.headlines.headlines()),
      head.seq,
    );
  }
}
