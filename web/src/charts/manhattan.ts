/** The manhattan: runs in each over as bars, innings side by side, a dot for each wicket. */
import type { InningsCard } from "../../../scoring/index.ts";
import { plural, s } from "../dom.ts";
import { axes, inningsColour, withLegend } from "./parts.ts";
import { CHART_BOX as B, linear, ticks } from "./scale.ts";

export function manhattanChart(cards: InningsCard[], oversLimit: number | null): HTMLDivElement {
  const overs = Math.max(oversLimit ?? 0, ...cards.map((c) => c.perOver.length), 1);
  const maxRuns = Math.max(...cards.flatMap((c) => c.perOver.map((o) => o.runs)), 6);
  const slot = (B.width - B.left - B.right) / overs;
  const bar = Math.max(1, (slot * 0.8) / Math.max(1, cards.length));
  const xCentre = (over: number) => B.left + (over + 0.5) * slot;
  const dot = Math.min(3, bar / 2);
  // Room above the tallest bar for its stack of wicket dots.
  const maxWickets = Math.max(0, ...cards.flatMap((c) => c.perOver.map((o) => o.wickets)));
  const y = linear(maxRuns, B.height - B.bottom, B.top + maxWickets * (dot * 2 + 1));
  const chart = s(
    "svg",
    {
      viewBox: `0 0 ${B.width} ${B.height}`,
      role: "img",
      "aria-label": "Manhattan: runs per over",
      "data-testid": "manhattan",
      class: "chart",
    },
    axes({
      xTicks: ticks(overs, 10).filter((t) => t >= 1),
      yTicks: ticks(maxRuns),
      x: (o) => xCentre(o - 1),
      y,
      xTitle: "Over",
      yTitle: "Runs in the over",
    }),
    ...cards.map((card, i) =>
      s(
        "g",
        { "data-testid": `manhattan-innings-${card.number}`, fill: inningsColour(i) },
        ...card.perOver.flatMap((o) => {
          const left = xCentre(o.over) - (bar * cards.length) / 2 + i * bar;
          const top = y(o.runs);
          const shapes: SVGElement[] = [
            s(
              "rect",
              { x: left, y: top, width: bar, height: Math.max(0, B.height - B.bottom - top), class: "bar" },
              s(
                "title",
                {},
                `${card.team}, over ${o.over + 1}: ${plural(o.runs, "run")}, ${plural(o.wickets, "wicket")}`,
              ),
            ),
          ];
          for (let w = 0; w < o.wickets; w++)
            shapes.push(
              s("circle", {
                cx: left + bar / 2,
                cy: top - dot - 1 - w * (dot * 2 + 1),
                r: dot,
                class: "wicket",
                "data-testid": "manhattan-wicket",
              }),
            );
          return shapes;
        }),
      ),
    ),
  );
  return withLegend(
    chart,
    cards.map((c) => c.team),
  );
}
