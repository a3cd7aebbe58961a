/**
 * The top of the match page: every innings' score with the one in play first in size, rates,
 * target, the batters at the crease, the bowler, the partnership, and the last overs ball by ball.
 */
import {
  type BallRecord,
  ballLabel,
  type InningsCard,
  type InningsState,
  type Scorecard,
} from "../../../scoring/index.ts";
import { resultText } from "../../../scoring/result-text.ts";
import { fill, h, num, plural } from "../dom.ts";

export function inningsScore(card: InningsCard): string {
  const wickets = card.wickets === 10 ? "" : `/${card.wickets}`;
  const flags = `${card.declared ? " dec" : ""}${card.forfeited ? " forfeited" : ""}`;
  return `${card.runs}${wickets}${flags}`;
}

function inningsName(card: InningsCard): string {
  return `${card.team}${card.superOver ? " (super over)" : ""}${card.followOn ? " (f/o)" : ""}`;
}

/**
 * The head of the page, where every innings' score appears exactly once: one line per innings
 * ("Kings XI Punjab 184/4 (20.0 ov)"), the innings in play larger, then its rates and target,
 * then the result or the match status.
 */
export function renderHeadline(el: HTMLElement, card: Scorecard, inn: InningsCard | undefined): void {
  const facts: [string, string][] = [];
  if (inn) {
    facts.push(["Run rate", num(inn.runRate)]);
    if (inn.target)
      facts.push(["Target", `${inn.target.runs}${inn.target.overs ? ` in ${inn.target.overs} ov` : ""}`]);
    if (inn.requiredRunRate !== null) facts.push(["Required rate", num(inn.requiredRunRate)]);
    if (inn.runsNeeded !== null && inn.status === "in progress")
      facts.push([
        "To win",
        inn.ballsRemaining === null
          ? plural(inn.runsNeeded, "run")
          : `${plural(inn.runsNeeded, "run")} off ${plural(inn.ballsRemaining, "ball")}`,
      ]);
    if (inn.projectedScore !== null && !inn.target && inn.status === "in progress")
      facts.push(["Projected", String(inn.projectedScore)]);
    if (inn.lead !== null) facts.push([inn.lead >= 0 ? "Lead" : "Trail", String(Math.abs(inn.lead))]);
    facts.push(["Last 5 ov", `${inn.lastFiveOvers.runs}/${inn.lastFiveOvers.wickets}`]);
  }
  fill(
    el,
    card.innings.length
      ? h(
          "ul",
          { class: "scores", "data-testid": "score" },
          ...card.innings.map((c) =>
            h(
              "li",
              {
                class: c === inn ? "current" : null,
                "aria-current": c === inn ? "true" : null,
                "data-testid": `innings-score-${c.number}`,
                "data-runs": c.runs,
                "data-wickets": c.wickets,
              },
              h("span", { class: "team" }, inningsName(c)),
              " ",
              h("strong", { class: "runs" }, inningsScore(c)),
              " ",
              h("span", { class: "overs" }, `(${c.overs} ov)`),
            ),
          ),
        )
      : h("p", { class: "scores", "data-testid": "score" }, "Waiting for the first ball…"),
    facts.length
      ? h(
          "dl",
          { class: "facts" },
          ...facts.flatMap(([k, v]) => [
            h(
              "div",
              {},
              h("dt", {}, k),
              h("dd", { "data-testid": `fact-${k.toLowerCase().replace(/\W+/g, "-")}` }, v),
            ),
          ]),
        )
      : null,
    card.result
      ? h("p", { class: "result", "data-testid": "result" }, resultText(card.result))
      : h("p", { class: "status", "data-testid": "match-status" }, card.status),
  );
}

export function renderCrease(
  el: HTMLElement,
  card: InningsCard | undefined,
  state: InningsState | undefined,
): void {
  if (!card || !state) {
    fill(el);
    return;
  }
  const atCrease = card.batters.filter((b) => b.name === card.striker || b.name === card.nonStriker);
  const lastBall = state.balls.at(-1);
  const bowler = card.bowlers.find((b) => b.name === lastBall?.bowler);
  const stand = card.partnerships.at(-1);
  fill(
    el,
    h(
      "table",
      { class: "compact", "data-testid": "batters-at-crease" },
      h("caption", {}, card.status === "complete" ? "Last pair" : "At the crease"),
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col" }, "Batter"), ...["R", "B", "4s", "6s", "SR"].map(numTh)),
      ),
      h(
        "tbody",
        {},
        ...atCrease.map((b) =>
          h(
            "tr",
            {},
            h(
              "th",
              { scope: "row" },
              b.name,
              b.name === card.striker ? h("span", { class: "on-strike", title: "on strike" }, " *") : null,
            ),
            ...[b.runs, b.balls, b.fours, b.sixes, num(b.strikeRate, 1)].map(numTd),
          ),
        ),
      ),
    ),
    bowler
      ? h(
          "table",
          { class: "compact", "data-testid": "current-bowler" },
          h("caption", {}, "Bowler"),
          h(
            "thead",
            {},
            h("tr", {}, h("th", { scope: "col" }, "Bowler"), ...["O", "M", "R", "W", "Econ"].map(numTh)),
          ),
          h(
            "tbody",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "row" }, bowler.name),
              ...[bowler.overs, bowler.maidens, bowler.runs, bowler.wickets, num(bowler.economy)].map(numTd),
            ),
          ),
        )
      : null,
    stand
      ? h(
          "p",
          { class: "partnership", "data-testid": "partnership" },
          `${stand.ended ? "Last" : card.status === "complete" ? "Unbroken" : "Current"} partnership: `,
          h("strong", {}, `${stand.runs} (${stand.balls})`),
          ` ${stand.batters[0].name} ${stand.batters[0].runs} (${stand.batters[0].balls}), ${stand.batters[1].name} ${stand.batters[1].runs} (${stand.batters[1].balls})`,
        )
      : null,
  );
}

/** The last three overs, ball by ball, newest last. */
export function renderRecentOvers(el: HTMLElement, state: InningsState | undefined): void {
  if (!state) {
    fill(el);
    return;
  }
  const byOver = new Map<number, BallRecord[]>();
  for (const b of state.balls.slice(-40)) byOver.set(b.over, [...(byOver.get(b.over) ?? []), b]);
  const overs = [...byOver.entries()].slice(-3);
  fill(
    el,
    ...overs.map(([over, balls]) =>
      h(
        "li",
        {},
        h("span", { class: "over-no" }, `Over ${over + 1}`),
        h(
          "ol",
          { class: "balls" },
          ...balls.map((b) => {
            const label = ballLabel(b);
            const kind = b.wickets.length
              ? "w"
              : b.batterRuns >= 6
                ? "six"
                : b.batterRuns >= 4 && !b.nonBoundary
                  ? "four"
                  : "";
            return h("li", { class: `ball ${kind}` }, label);
          }),
        ),
        h(
          "span",
          { class: "over-runs" },
          plural(state.perOver.find((o) => o.over === over)?.runs ?? 0, "run"),
        ),
      ),
    ),
  );
}

function numTh(label: string): HTMLTableCellElement {
  return h("th", { scope: "col", class: "num" }, label);
}

function numTd(value: string | number): HTMLTableCellElement {
  return h("td", { class: "num" }, value);
}
