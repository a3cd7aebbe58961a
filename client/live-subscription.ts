import { assertNever } from "../protocol/assert-never.ts";
import type {
  DeltaMessage,
  PatchMessage,
  PresenceMessage,
  ServerMessage,
  SnapshotMessage,
} from "../protocol/live-messages.ts";
import { parseServerMessage } from "../protocol/live-wire.ts";
import { applyStateDelta, type LiveFormat, stateText } from "../protocol/state-delta.ts";
import { AckPolicy } from "./ack-policy.ts";
import { applyPatch } from "./apply-patch.ts";
import { presenceShowsGap } from "./continuity.ts";
import { type ControlMessage, FeedSubscription } from "./feed-subscription.ts";
import { canGunzip, liveSubprotocols, liveUrl, type StreamPosition } from "./live-url.ts";
import type { SubscribeOptions, Subscription, SubscriptionEvents } from "./subscription.ts";

/** Read here by the rooms' tests, which hold the room's silence rule to the client's beat. */
export { DEFAULT_HEARTBEAT_INTERVAL_MS } from "./feed-subscription.ts";

/** The match feed's own messages; the retry hint and pongs are every feed's ({@link FeedSubscription}). */
type MatchMessage = Exclude<ServerMessage, ControlMessage>;

/**
 * The match feed on the {@link FeedSubscription} core: which versions to apply (snapshots,
 * JSON patches, fossil deltas), when to resync, acknowledgements, presence. The held state
 * outlives connections, with the resume point, which is what lets a reconnect resume.
 */
export class LiveSubscription<S>
  extends FeedSubscription<MatchMessage, SubscriptionEvents<S>>
  implements Subscription<S>
{
  readonly #matchId: string;
  readonly #baseUrl: string;
  readonly #region: string | undefined;
  readonly #format: LiveFormat;
  /** The canonical text of the held state, kept for fossil deltas (computed when first needed). */
  #stateText: string | null = null;
  #hasState: boolean;
  #state: unknown;
  #viewers: number | null = null;
  /** A patch that failed to apply once; failing again means resuming cannot fix it. */
  #failedPatchSeq: number | null = null;
  /** When to acknowledge: one policy per connection. */
  #ack = new AckPolicy();

  /** Validates the options (throwing on a bad URL or token) and starts connecting. */
  constructor(options: SubscribeOptions<S>) {
    super(options, {
      source: "server",
      protocols: liveSubprotocols(options.token),
      parse: parseServerMessage,
    });
    this.#matchId = options.matchId;
    this.#baseUrl = options.baseUrl;
    this.#region = options.region;
    this.#format = options.format ?? "json-patch";
    this.heldSeq = options.since ?? null;
    this.heldEpoch = options.epoch ?? null;
    this.#hasState = options.state !== undefined && this.heldSeq !== null;
    this.#state = this.#hasState ? options.state : null;
    this.start();
  }

  get state(): S | null {
    // S is the caller's claim about the server's state; the wire carries unchecked JSON.
    return this.#hasState ? (this.#state as S) : null;
  }

  get seq(): number | null {
    return this.heldSeq;
  }

  get viewers(): number | null {
    return this.#viewers;
  }

  protected override url(position: StreamPosition | null): string {
    return liveUrl(this.#baseUrl, this.#matchId, position, this.#region, this.#format, canGunzip());
  }

  protected override onConnect(): void {
    this.#ack = new AckPolicy();
  }

  protected override onBeat(): void {
    if (this.#ack.onBeat()) this.#acknowledge();
  }

  protected override handle(message: MatchMessage): void {
    if ("matchId" in message && message.matchId !== this.#matchId) {
      this.report(
        new Error(`a ${message.type} for match ${message.matchId} arrived on ${this.#matchId}'s feed`),
      );
      return;
    }
    switch (message.type) {
      case "snapshot":
        this.#handleSnapshot(message);
        break;
      case "patch":
      case "delta":
        if (this.continues(message)) this.#applyPatch(message);
        break;
      case "presence":
        this.#handlePresence(message);
        break;
      default:
        assertNever(message);
    }
  }

  #handleSnapshot(message: SnapshotMessage): void {
    const prev = this.heldSeq;
    const sameVersion = this.#hasState && prev === message.seq && this.heldEpoch === message.epoch;
    this.#hasState = true;
    this.#state = message.state;
    this.#stateText = null;
    this.heldSeq = message.seq;
    this.heldEpoch = message.epoch;
    this.#failedPatchSeq = null;
    // A snapshot of the version already held (a resume that could not be honoured) is not news.
    if (!sameVersion) this.#publish(prev);
    this.synced();
  }

  #applyPatch(message: PatchMessage | DeltaMessage): void {
    if (!this.#hasState) {
      this.report(new Error(`patch ${message.prev}→${message.seq} has no state to apply to: starting over`));
      this.#startOver();
      return;
    }
    let next: unknown;
    try {
      if (message.type === "patch") {
        next = applyPatch(this.#state, message.ops);
        this.#stateText = null;
      } else {
        const text = applyStateDelta(this.#stateText ?? stateText(this.#state), message.delta);
        next = JSON.parse(text);
        this.#stateText = text;
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.report(new Error(`patch ${message.prev}→${message.seq} did not apply: ${detail}`));
      if (this.#failedPatchSeq === message.seq) {
        // The same patch, replayed, failed the same way: only a snapshot can help.
        this.#startOver();
        return;
      }
      this.#failedPatchSeq = message.seq;
      this.resync();
      return;
    }
    const prev = this.heldSeq;
    this.#state = next;
    this.heldSeq = message.seq;
    this.#failedPatchSeq = null;
    this.#publish(prev);
    if (this.#ack.onPatch()) this.#acknowledge();
  }

  #handlePresence(message: PresenceMessage): void {
    this.#viewers = message.viewers;
    this.emit("presence", {
      viewers: message.viewers,
      seq: message.seq,
      stale: message.stale ?? false,
    });
    if (presenceShowsGap(this.heldSeq, message.seq)) {
      // A resume answered short of the room's newest seq may be asked again.
      if (message.resumed) this.asked = null;
      this.resync();
      return;
    }
    if (message.resumed && this.syncing && this.heldSeq !== null) this.synced();
  }

  /** Asks over the open socket for what was missed since the held seq, once per seq until answered. */
  protected override resync(): void {
    // Nothing held to resume from: the snapshot a fresh connection starts with will do.
    if (this.heldSeq === null || this.heldEpoch === null) return;
    if (this.asked?.type === "resume" && this.asked.since === this.heldSeq) return;
    this.ask({ type: "resume", since: this.heldSeq, epoch: this.heldEpoch });
  }

  /** Forgets the held position, so the next connection starts from a snapshot. */
  #startOver(): void {
    this.#hasState = false;
    this.#state = null;
    this.heldSeq = null;
    this.heldEpoch = null;
    this.#failedPatchSeq = null;
    this.giveUp("starting over from a snapshot");
  }

  #acknowledge(): void {
    if (this.heldSeq !== null && !this.syncing) this.send({ type: "ping", seq: this.heldSeq });
  }

  #publish(prev: number | null): void {
    if (this.heldSeq === null) return;
    this.publish({ seq: this.heldSeq, prev, state: this.#state as S });
  }
}
