/**
 * `subscribeTicker()`: every public live match's headline over one WebSocket, kept current
 * with one small update per changed match, resumed across reconnects from the ticker position
 * held. The statuses, heartbeat, full-jitter backoff and retry hints are `subscribe()`'s own:
 * both feeds run on client/feed-subscription.ts. Every frame is checked
 * (protocol/ticker-check.ts); a bad one is reported and answered with a resync, never thrown.
 */
import { assertNever } from "../protocol/assert-never.ts";
import { SUBPROTOCOL } from "../protocol/live-wire.ts";
import type { Headline, HeadlineMessage, TickerServerMessage, UnlistedMessage } from "../protocol/ticker.ts";
import { readTickerFrame } from "../protocol/ticker-check.ts";
import { type ControlMessage, FeedSubscription } from "./feed-subscription.ts";
import { feedUrl, type StreamPosition } from "./live-url.ts";
import type { FeedOptions, SubscriptionStatus } from "./subscription.ts";

export type { Headline } from "../protocol/ticker.ts";

/** One applied change (or the whole list): the headlines now, and which matches changed or left. */
export interface TickerUpdate {
  headlines: Headline[];
  seq: number;
  /** Match ids whose headline is new or changed; every id after a full list. */
  changed: string[];
  /** Match ids that left the ticker. */
  removed: string[];
}

export interface TickerEvents {
  update: TickerUpdate;
  status: SubscriptionStatus;
  /** Bad frames (the client resyncs after) and final closes. */
  error: Error;
}

export interface SubscribeTickerOptions extends FeedOptions {
  /** The API origin, `https://…` or `wss://…`; the ticker is at `{baseUrl}/v1/ticker/ws`. */
  baseUrl: string;
  /** Resume from this ticker position (seq) of `epoch`, holding `headlines` (as a previous subscription left them). */
  since?: number;
  epoch?: string;
  headlines?: Headline[];
  /** Pin the edge region (honoured where the deployment allows it). */
  region?: string;
}

export interface TickerSubscription {
  /** Every headline held, in the order the server listed them (new matches last). */
  readonly headlines: Headline[];
  readonly seq: number | null;
  readonly epoch: string | null;
  readonly status: SubscriptionStatus;
  readonly lastMessageAt: number | null;
  readonly lastUpdateAt: number | null;
  staleMs(): number;
  on<K extends keyof TickerEvents>(event: K, fn: (payload: TickerEvents[K]) => void): () => void;
  close(): void;
}

/** Subscribes to the ticker and starts connecting at once. Throws on a malformed `baseUrl`. */
export function subscribeTicker(options: SubscribeTickerOptions): TickerSubscription {
  return new Ticker(options);
}

/** The ticker's own messages; the retry hint and pongs are every feed's ({@link FeedSubscription}). */
type TickerMessage = Exclude<TickerServerMessage, ControlMessage>;

/** The ticker on the {@link FeedSubscription} core: the headlines held, and how changes apply to them. */
class Ticker extends FeedSubscription<TickerMessage, TickerEvents> implements TickerSubscription {
  readonly #baseUrl: string;
  readonly #region: string | undefined;
  #held = new Map<string, Headline>();

  constructor(options: SubscribeTickerOptions) {
    super(options, { source: "ticker", protocols: [SUBPROTOCOL], parse: readTickerFrame });
    this.#baseUrl = options.baseUrl;
    this.#region = options.region;
    if (options.since !== undefined && options.epoch !== undefined && options.headlines) {
      this.heldSeq = options.since;
      this.heldEpoch = options.epoch;
      for (const h of options.headlines) this.#held.set(h.matchId, h);
    }
    this.start();
  }

  get headlines(): Headline[] {
    return [...this.#held.values()];
  }

  get seq(): number | null {
    return this.heldSeq;
  }

  protected override url(position: StreamPosition | null): string {
    return feedUrl(this.#baseUrl, "/v1/ticker/ws", position, this.#region).toString();
  }

  protected override handle(m: TickerMessage): void {
    switch (m.type) {
      case "headlines":
        this.#held = new Map(m.headlines.map((h) => [h.matchId, h]));
        this.heldEpoch = m.epoch;
        this.heldSeq = m.seq;
        this.synced();
        this.#publish(
          m.headlines.map((h) => h.matchId),
          [],
        );
        break;
      case "headline":
      case "unlisted":
        if (this.continues({ seq: m.seq, prev: m.prev, resumed: m.resumed })) this.#change(m);
        break;
      case "resumed":
        if (m.epoch === this.heldEpoch && m.seq === this.heldSeq) this.synced();
        else this.resync(true);
        break;
      default:
        assertNever(m);
    }
  }

  #change(m: HeadlineMessage | UnlistedMessage): void {
    this.heldSeq = m.seq;
    if (m.type === "unlisted") {
      this.#held.delete(m.matchId);
      this.#publish([], [m.matchId]);
      return;
    }
    const { type: _type, seq: _seq, prev: _prev, resumed: _resumed, ...headline } = m;
    this.#held.set(m.matchId, headline);
    this.#publish([m.matchId], []);
  }

  /**
   * Asks for what was missed over the open socket (a resume; the server answers with the
   * changes or every headline), once per connection until answered: each ask costs the
   * socket's frame meter 10 tokens, and the sync deadline reconnects if no answer comes.
   * `fresh`: a resume that came back short; ask for every headline.
   */
  protected override resync(fresh = false): void {
    if (this.asked && !fresh) return;
    this.ask(
      this.heldSeq !== null && this.heldEpoch !== null && !fresh
        ? { type: "resume", since: this.heldSeq, epoch: this.heldEpoch }
        : { type: "subscribe" },
    );
  }

  #publish(changed: string[], removed: string[]): void {
    this.publish({ headlines: this.headlines, seq: this.heldSeq ?? 0, changed, removed });
  }
}
