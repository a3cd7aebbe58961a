/** The worm: cumulative runs after each over, one line per innings. */
import type { InningsCard } from "../../../scoring/index.ts";
import { s } from "../dom.ts";
import { axes, inningsColour, withLegend } from "./parts.ts";
import { CHART_BOX as B, linear, ticks } from "./scale.ts";

/** Points of one innings' worm: (0, 0), then (overs completed, total) after each over. */
export function wormPoints(card: InningsCard, ballsPerOver: number): [number, number][] {
  const points: [number, number][] = [[0, 0]];
  for (const o of card.perOver) {
    const x = o.legalBalls >= ballsPerOver ? o.over + 1 : o.over + o.legalBalls / ballsPerOver;
    points.push([x, o.total]);
  }
  return points;
}

export function wormChart(
  cards: InningsCard[],
  ballsPerOver: number,
  oversLimit: number | null,
): HTMLDivElement {
  const series = cards.map((card) => ({ card, points: wormPoints(card, ballsPerOver) }));
  const maxX = Math.max(oversLimit ?? 0, ...series.flatMap((x) => x.points.map((p) => p[0])), 1);
  const maxY = Math.max(...series.flatMap((x) => x.points.map((p) => p[1])), 10);
  const x = linear(maxX, B.left, B.width - B.right);
  const y = linear(maxY, B.height - B.bottom, B.top);
  const chart = s(
    "svg",
    {
      viewBox: `0 0 ${B.width} ${B.height}`,
      role: "img",
      "aria-label": `Worm: ${cards.map((c) => `${c.team} ${c.runs}/${c.wickets}`).join(", ")}`,
      "data-testid": "worm",
      class: "chart",
    },
    axes({ xTicks: ticks(maxX, 10), yTicks: ticks(maxY), x, y, xTitle: "Overs", yTitle: "Runs" }),
    ...series.map(({ card, points }, i) =>
      s("path", {
        d: points.map(([px, py], k) => `${k === 0 ? "M" : "L"}${x(px)},${y(py)}`).join(" "),
        fill: "none",
        stroke: inningsColour(i),
        "stroke-width": 2,
        "data-testid": `worm-line-${card.number}`,
        "data-points": points.length,
      }),
    ),
  );
  return withLegend(
    chart,
    cards.map((c) => c.team),
  );
}
