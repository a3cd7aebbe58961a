/**
 * `<crease-score match="ID">`: one match's live score. Attributes: `match` (required), `layout`
 * (`compact`, the default: one line; `full`: each innings, the requirement, the result and the
 * batters at the crease), `theme` (`light`, `dark`, `auto` by default), `base` (the API origin).
 */
import { type Subscription, subscribe } from "../../../client/index.ts";
import type { MatchState } from "../../../scoring/state.ts";
import { h } from "../dom.ts";
import { EmbedElement, setText } from "./embed-element.ts";
import { type ScoreView, scoreLine, scoreView } from "./score-lines.ts";

export class CreaseScore extends EmbedElement {
  static observedAttributes = ["match", "base", "layout", "theme"];

  #sub: Subscription<MatchState> | null = null;
  #view: ScoreView | null = null;
  readonly #title = h("span", { class: "title", part: "title" });
  readonly #fresh = h("span", { class: "fresh", part: "freshness", "data-testid": "freshness" });
  /** The live region: only its text changes announce, and it changes only with the score. */
  readonly #score = h("p", {
    class: "score",
    part: "score",
    "aria-live": "polite",
    "aria-atomic": "true",
    "data-testid": "score",
  });
  readonly #head = h("div", { class: "row" });
  readonly #details = h("div", { class: "details", part: "details" });
  readonly #link = h("a", { target: "_blank", rel: "noopener", part: "link" }, "Scorecard");
  readonly #notice = h("p", { class: "notice", role: "alert", "data-testid": "notice", hidden: true });
  readonly #retry = h("button", { type: "button", hidden: true }, "Try again");

  constructor() {
    super();
    this.#head.append(this.#title, this.#score, this.#fresh, this.#link);
    this.body.append(this.#head, this.#details, h("div", { class: "row" }, this.#notice, this.#retry));
    this.#retry.addEventListener("click", () => this.guard(() => this.connectedCallback()));
  }

  protected start(): void {
    const matchId = this.getAttribute("match");
    this.#view = null;
    if (!matchId) {
      this.fault = "notFound";
      return;
    }
    this.#sub = this.openFeed((WebSocket) =>
      subscribe<MatchState>({ baseUrl: this.base, matchId, WebSocket }),
    );
    this.#sub.on("update", (u) =>
      this.guard(() => {
        this.#view = scoreView(u.state);
        this.render();
      }),
    );
  }

  protected stop(): void {
    const sub = this.#sub;
    this.#sub = null;
    sub?.close();
  }

  protected render(): void {
    const view = this.#view;
    const line = this.freshness(this.#sub, view?.over ?? false);
    const matchId = this.getAttribute("match") ?? "";
    this.#link.hidden = this.fault !== null;
    this.#link.href = `${this.base}/match.html?id=${encodeURIComponent(matchId)}`;
    this.#link.setAttribute("aria-label", `Scorecard: ${view?.title ?? matchId} (opens in a new tab)`);
    this.#notice.hidden = this.fault === null;
    this.#retry.hidden = this.fault !== "refused";
    setText(this.#notice, this.fault ? line.text : "");
    this.#fresh.hidden = this.fault !== null;
    this.#fresh.dataset.state = line.state;
    setText(this.#fresh, line.text);
    setText(this.#title, view ? view.title : this.fault ? "" : "Loading score…");
    // Full: an innings a line (the stylesheet keeps the breaks); compact: one line.
    setText(this.#score, view ? scoreLine(view.teams, view.innings, this.compact ? " · " : "\n") : "");
    this.#renderDetails(view);
    // Compact: the link ends the one line; full: it ends the card, after the requirement.
    const linkAfter = this.compact ? this.#fresh : this.#details;
    if (linkAfter.nextSibling !== this.#link) linkAfter.after(this.#link);
  }

  #renderDetails(view: ScoreView | null): void {
    if (this.compact || !view) {
      delete this.#details.dataset.key;
      this.#details.replaceChildren();
      return;
    }
    const key = JSON.stringify(view);
    if (this.#details.dataset.key === key) return;
    this.#details.dataset.key = key;
    // h() skips the parts a view lacks (null) where replaceChildren() would not.
    this.#details.replaceChildren(
      h(
        "div",
        {},
        view.requirement && h("p", { "data-testid": "requirement" }, view.requirement),
        view.result && h("p", { class: "title", "data-testid": "result" }, view.result),
        view.batters && h("p", { class: "muted" }, `At the crease: ${view.batters}`),
      ),
    );
  }
}
