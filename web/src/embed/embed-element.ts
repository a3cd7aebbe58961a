/**
 * What both embedded elements share: a shadow root with the widget's styles, the API base (the
 * origin the script came from, or the `base` attribute), a one-second tick for "updated N s ago",
 * and a guard that keeps every error inside the element: a widget must never throw into the page
 * that embeds it.
 */
import type { SubscriptionStatus, WebSocketConstructorLike } from "../../../client/index.ts";
import { ServerClosedError } from "../../../client/index.ts";
import { h } from "../dom.ts";
import { type Fault, type FreshnessLine, faultForClose, freshnessLine, MESSAGES } from "./freshness.ts";
import { serverReachable, watchHandshakes } from "./handshake-watch.ts";
import { STYLES } from "./styles.ts";

/** What the element needs of `subscribe()`'s and `subscribeTicker()`'s subscriptions. */
export interface Feed {
  readonly status: SubscriptionStatus;
  readonly lastUpdateAt: number | null;
  on(event: "status", fn: (status: SubscriptionStatus) => void): () => void;
  on(event: "error", fn: (error: Error) => void): () => void;
  close(): void;
}

/** The origin this script was loaded from, read once while it runs (currentScript is null later). */
const SCRIPT_ORIGIN = ((): string => {
  try {
    const script = document.currentScript;
    if (script instanceof HTMLScriptElement && script.src) return new URL(script.src).origin;
  } catch {
    // An odd document: fall back to the page's own origin.
  }
  return location.origin;
})();

export abstract class EmbedElement extends HTMLElement {
  protected readonly root: ShadowRoot;
  /** Everything the element renders goes in here, below the stylesheet. */
  protected readonly body: HTMLDivElement;
  /** Why the element shows no live score, or null. */
  protected fault: Fault = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #started = false;
  /** The next look for a match not found yet, and how many looks came back empty in a row. */
  #lookAgain: ReturnType<typeof setTimeout> | null = null;
  #emptyLooks = 0;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLES;
    this.body = h("div", { part: "body" });
    this.root.append(style, this.body);
  }

  /** The API origin: the `base` attribute, else where the script came from. */
  protected get base(): string {
    const given = this.getAttribute("base");
    if (given) {
      try {
        return new URL(given, location.href).origin;
      } catch {
        // A malformed base: the script's origin is the best guess.
      }
    }
    return SCRIPT_ORIGIN;
  }

  protected get compact(): boolean {
    return this.getAttribute("layout") !== "full";
  }

  connectedCallback(): void {
    this.guard(() => this.#restart());
  }

  disconnectedCallback(): void {
    this.guard(() => this.#stop());
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value || !this.#started) return;
    this.guard(() => (name === "layout" ? this.render() : this.#restart()));
  }

  /** Opens the element's subscription. */
  protected abstract start(): void;
  /** Closes it. */
  protected abstract stop(): void;
  /** Draws the element from what it holds. */
  protected abstract render(): void;

  /**
   * Opens a feed with a WebSocket that watches its handshakes, and turns its final closes and
   * repeated refusals into the element's fault. A refused origin will be refused again: the feed
   * is closed then, and the element offers a retry instead of knocking forever.
   */
  protected openFeed<F extends Feed>(open: (ws: WebSocketConstructorLike) => F): F {
    const base = this.base;
    this.fault = null;
    /** When the server last answered a probe after failed handshakes; null if it did not. */
    let answeredAt: number | null = null;
    // Called from a socket's close event: guarded, as an exception there would reach the page.
    const watch = watchHandshakes((startedAt) =>
      this.guard(() => {
        if (feed.status === "open" || feed.status === "closed") return;
        if (answeredAt !== null && startedAt > answeredAt) {
          // Refused will be refused again: stop knocking, offer a retry.
          this.fault = "refused";
          feed.close();
          this.render();
          return;
        }
        void serverReachable(base).then((reachable) =>
          this.guard(() => {
            answeredAt = reachable ? Date.now() : null;
            if (!reachable && watch.failures > 0) {
              this.fault = "unreachable";
              this.render();
            }
          }),
        );
      }),
    );
    const feed = open(watch.WebSocket);
    feed.on("status", (status) =>
      this.guard(() => {
        if (status === "open") {
          this.fault = null;
          this.#emptyLooks = 0;
        }
        this.render();
      }),
    );
    feed.on("error", (error) =>
      this.guard(() => {
        if (error instanceof ServerClosedError) {
          this.fault = faultForClose(error.code);
          if (this.fault === "notFound") this.#lookAgainLater();
          this.render();
        }
      }),
    );
    return feed;
  }

  /** The freshness words for a feed (or none), and the element's state for styles and tests. */
  protected freshness(feed: Feed | null, over: boolean): FreshnessLine {
    const line = freshnessLine({
      status: feed?.status ?? "closed",
      fault: this.fault,
      sinceUpdateMs: feed?.lastUpdateAt ? Date.now() - feed.lastUpdateAt : null,
      over,
    });
    this.dataset.state = line.state;
    return line;
  }

  /** Runs `fn`, and turns anything it throws into a message inside the element. */
  protected guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fail("broken", error);
    }
  }

  /** Shows a fault in place of the content (and says why on the console, as a warning). */
  protected fail(fault: Exclude<Fault, null>, error?: unknown): void {
    if (error !== undefined) console.warn(`<${this.localName}>: ${String(error)}`);
    try {
      this.body.replaceChildren(
        h("p", { class: "notice", role: "alert", "data-state": "error" }, MESSAGES[fault]),
      );
    } catch {
      // Nothing more can be done without throwing into the page.
    }
  }

  /**
   * An unknown match is final for the client library (close 4004), but a page may embed a match
   * before its first ball, and the front door may not know a match for a moment after its first
   * events: look again after 2 s, doubling to a minute, with jitter.
   */
  #lookAgainLater(): void {
    if (this.#lookAgain !== null) clearTimeout(this.#lookAgain);
    const delay = Math.min(60_000, 2000 * 2 ** this.#emptyLooks) * (0.5 + Math.random() / 2);
    this.#emptyLooks += 1;
    this.#lookAgain = setTimeout(() => this.guard(() => this.#restart()), delay);
  }

  #restart(): void {
    this.#stop();
    this.#started = true;
    this.start();
    this.render();
    this.#timer = setInterval(() => this.guard(() => this.render()), 1000);
  }

  #stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#lookAgain !== null) clearTimeout(this.#lookAgain);
    this.#timer = null;
    this.#lookAgain = null;
    if (this.#started) this.stop();
    this.#started = false;
  }
}

/** A node's text, replaced only when it changed, so a live region announces changes and not ticks. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
