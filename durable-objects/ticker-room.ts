import { readConfig } from "../config/crease-config.ts";
import { WS_OPEN } from "../edge/close-quietly.ts";
import type { AnswerSent } from "../edge/resume-meter.ts";
import {
  planTickerBatch,
  planTickerSync,
  syncFrames,
  type TickerStep,
  viewerAhead,
} from "../edge/ticker-stream.ts";
import type { TickerHandoff } from "../protocol/room-handoff.ts";
import { entryFrame, headlinesFrame, type TickerPublication } from "../protocol/ticker.ts";
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
  extends FanoutRoom<TickerRoomIdentity, TickerPublication, "ticker">
  implements TickerRoomRpc
{
  protected readonly feed = "ticker";
  private readonly headlines: HeadlineStore;
  /** A room that had nobody may hold headlines from before it left: it catches up before answering anyone. */
  protected override readonly catchUpOnJoin = true;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.headlines = new HeadlineStore(ctx.storage.sql, this.node, readConfig(env).ticker.ringSize);
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

  /** A viewer's first frames, or its answer to a resume: the changes it missed, else every headline. */
  protected answer(ws: WebSocket, since?: number, epoch?: string): Promise<AnswerSent> {
    return this.enqueue(async () => {
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
    });
  }

  protected async receive(batch: TickerPublication[]): Promise<void> {
    const identity = this.readIdentity();
    if (identity) await this.take(identity, planTickerBatch(this.head(), this.hasState(), batch));
  }

  /** Pulls what this room missed (or everything) from the match index. */
  protected async catchUp(identity: TickerRoomIdentity): Promise<void> {
    const head = this.head();
    const answer = await matchIndexStub(this.env).tickerSince(head.epoch, head.seq);
    // The source's answer is the newest there is: nothing to pull behind it.
    const steps = planTickerBatch(head, true, [answer]).filter((step) => step.kind !== "pull");
    await this.take(identity, steps);
  }

  /** Each step stored, forwarded to the children at once, then sent to this room's sockets. */
  private async take(identity: TickerRoomIdentity, steps: TickerStep[]): Promise<void> {
    for (const step of steps) {
      if (step.kind === "pull") await this.catchUp(identity);
      else if (step.kind === "full") {
        const { epoch, seq, headlines } = step.full;
        this.headlines.replace(epoch, seq, headlines);
        this.forward(identity, step.full);
        await this.broadcast(headlinesFrame(epoch, seq, headlines));
      } else {
        this.headlines.advance(step.entries);
        this.forward(identity, { kind: "changes", epoch: step.epoch, entries: step.entries });
        const frames = step.entries.map((entry) => entryFrame(entry, false));
        await this.broadcast(() => frames);
      }
    }
  }
}
