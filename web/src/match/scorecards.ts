/** Full batting and bowling cards, one tab per innings, with extras, total and fall of wickets. */
import type { InningsCard } from "../../../scoring/index.ts";
import { fill, h, num, plural } from "../dom.ts";

export function renderTabs(
  el: HTMLElement,
  cards: InningsCard[],
  selected: number,
  onSelect: (inningsNumber: number) => void,
): void {
  // Rebuilt only when the set of innings changes, so keyboard focus stays on the tab.
  const key = cards.map((c) => `${c.number}:${c.team}`).join("|");
  if (el.dataset.key !== key) {
    el.dataset.key = key;
    fill(
      el,
      ...cards.map((c) => {
        const button = h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${c.number}`,
            "aria-controls": "card-panel",
            "data-testid": `innings-tab-${c.number}`,
          },
          `${c.team}${c.superOver ? " (SO)" : ""}`,
          h("span", { class: "sub" }, ` inns ${c.number}`),
        );
        button.addEventListener("click", () => onSelect(c.number));
        return button;
      }),
    );
    el.addEventListener("keydown", (event) => arrowKeys(el, event));
  }
  for (const button of el.querySelectorAll<HTMLButtonElement>("button[role=tab]")) {
    const on = button.id === `tab-${selected}`;
    button.setAttribute("aria-selected", String(on));
    button.tabIndex = on ? 0 : -1;
  }
}

/** The ARIA tabs pattern: left and right arrows move between tabs. */
function arrowKeys(list: HTMLElement, event: KeyboardEvent): void {
  if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
  const tabs = [...list.querySelectorAll<HTMLButtonElement>("button[role=tab]")];
  const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const next = tabs[(at + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
  next?.focus();
  next?.click();
}

export function renderCard(el: HTMLElement, card: InningsCard | undefined): void {
  if (!card) {
    fill(el, h("p", {}, "No innings yet."));
    return;
  }
  el.setAttribute("aria-labelledby", `tab-${card.number}`);
  fill(
    el,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { "data-testid": "batting-card", "data-innings": card.number },
        h("caption", {}, `${card.team} batting`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Batter"),
            h("th", { scope: "col", class: "how" }, ""),
            ...["R", "B", "4s", "6s", "SR"].map((t) => h("th", { scope: "col", class: "num" }, t)),
          ),
        ),
        h(
          "tbody",
          {},
          ...card.batters.map((b) =>
            h(
              "tr",
              { "data-testid": "batting-row" },
              h("th", { scope: "row" }, b.name),
              h("td", { class: "how" }, b.howOut),
              ...[b.runs, b.balls, b.fours, b.sixes, num(b.strikeRate, 1)].map((v) =>
                h("td", { class: "num" }, v),
              ),
            ),
          ),
        ),
        h(
          "tfoot",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "row" }, "Extras"),
            h(
              "td",
              { class: "how" },
              `b ${card.extras.byes}, lb ${card.extras.legbyes}, w ${card.extras.wides}, nb ${card.extras.noballs}, pen ${card.extras.penalty}`,
            ),
            h("td", { class: "num" }, card.extras.total),
            h("td", { colspan: 4 }),
          ),
          h(
            "tr",
            { class: "total" },
            h("th", { scope: "row" }, "Total"),
            h("td", { class: "how" }, totalNote(card)),
            h("td", { class: "num", "data-testid": "card-total" }, card.runs),
            h("td", { colspan: 4 }),
          ),
        ),
      ),
    ),
    card.fallOfWickets.length
      ? h(
          "p",
          { class: "fow", "data-testid": "fall-of-wickets" },
          h("strong", {}, "Fall of wickets: "),
          card.fallOfWickets.map((f) => `${f.runs}-${f.wicket} (${f.player}, ${f.over} ov)`).join(", "),
        )
      : null,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { "data-testid": "bowling-card", "data-innings": card.number },
        h("caption", {}, `${card.opponent} bowling`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Bowler"),
            ...["O", "M", "R", "W", "Econ", "wd", "nb"].map((t) =>
              h("th", { scope: "col", class: "num" }, t),
            ),
          ),
        ),
        h(
          "tbody",
          {},
          ...card.bowlers.map((b) =>
            h(
              "tr",
              { "data-testid": "bowling-row" },
              h("th", { scope: "row" }, b.name),
              ...[b.overs, b.maidens, b.runs, b.wickets, num(b.economy), b.wides, b.noballs].map((v) =>
                h("td", { class: "num" }, v),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** "9 wickets, 20.0 ov", "1 wicket, 4.2 ov" or "all out, 18.3 ov". */
function totalNote(card: InningsCard): string {
  const wickets =
    card.wickets === 10 || card.endReason === "all out" ? "all out" : plural(card.wickets, "wicket");
  return `${wickets}, ${card.overs} ov`;
}
