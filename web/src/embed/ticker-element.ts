/**
 * `<crease-ticker>`: every public live match's headline, one connection for all of them, each a
 * link to its scorecard. Attributes: `layout` (`compact`, the default: one strip; `full`: a line
 * per match with its requirement or result), `theme`, `base`.
 */
import { type Headline, subscribeTicker, type TickerSubscription } from "../../../client/index.ts";
import { h } from "../dom.ts";
import { EmbedElement, setText } from "./embed-element.ts";
import { headlineStatus, requirement, scoreLine } from "./score-lines.ts";

export class CreaseTicker extends EmbedElement {
  static observedAttributes = ["base", "layout", "theme"];

  #sub: TickerSubscription | null = null;
  readonly #fresh = h("span", { class: "fresh", part: "freshness", "data-testid": "freshness" });
  readonly #list = h("ul", { class: "ticker", part: "list", "aria-label": "Live matches" });
  readonly #empty = h("span", { class: "muted", hidden: true }, "No live matches.");
  /** Announces the match that changed, not the whole list every time. */
  readonly #announce = h("p", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
  readonly #notice = h("p", { class: "notice", role: "alert", "data-testid": "notice", hidden: true });

  constructor() {
    super();
    this.body.append(
      h("div", { class: "row" }, this.#list, this.#empty, this.#fresh),
      this.#notice,
      this.#announce,
    );
  }

  protected start(): void {
    const sub = this.openFeed((WebSocket) => subscribeTicker({ baseUrl: this.base, WebSocket }));
    this.#sub = sub;
    sub.on("update", (u) =>
      this.guard(() => {
        this.render();
        // A whole list (first frame, resync) is not news; one changed match is.
        const changed = u.changed.length === 1 ? u.headlines.find((x) => x.matchId === u.changed[0]) : null;
        if (changed)
          setText(this.#announce, `${scoreLine(changed.teams, changed.innings)}. ${headlineStatus(changed)}`);
      }),
    );
  }

  protected stop(): void {
    const sub = this.#sub;
    this.#sub = null;
    sub?.close();
  }

  protected render(): void {
    const sub = this.#sub;
    const line = this.freshness(sub, false);
    this.#notice.hidden = this.fault === null;
    setText(this.#notice, this.fault ? line.text : "");
    this.#fresh.hidden = this.fault !== null;
    this.#fresh.dataset.state = line.state;
    setText(this.#fresh, line.text);
    const headlines = sub?.headlines ?? [];
    this.#empty.hidden = headlines.length > 0 || sub?.lastUpdateAt == null;
    const key = JSON.stringify([this.compact, headlines]);
    if (this.#list.dataset.key === key) return;
    this.#list.dataset.key = key;
    this.#list.replaceChildren(...headlines.map((x) => this.#item(x)));
  }

  #item(x: Headline): HTMLLIElement {
    const chasing = x.innings.at(-1)?.team ?? null;
    const extra = this.compact ? null : x.result ? null : requirement(chasing, x.target, x.required);
    return h(
      "li",
      { "data-match-id": x.matchId },
      h(
        "a",
        {
          href: `${this.base}/match.html?id=${encodeURIComponent(x.matchId)}`,
          target: "_blank",
          rel: "noopener",
        },
        this.compact ? null : h("span", { class: "title" }, x.title ?? x.teams.join(" v "), " "),
        h("span", { class: "score" }, scoreLine(x.teams, x.innings)),
        " ",
        h("span", { class: "muted" }, headlineStatus(x)),
        extra && h("span", { class: "muted" }, ` · ${extra}`),
      ),
    );
  }
}
