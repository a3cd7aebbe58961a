/** Pieces the charts share: axes with tick labels, the innings colours, a legend. */
import { s } from "../dom.ts";
import { type Box, CHART_BOX } from "./scale.ts";

const COLOURS = ["#1c64d8", "#d9480f", "#2b8a3e", "#862e9c", "#5f3dc4", "#c2255c"];

export function inningsColour(i: number): string {
  return COLOURS[i % COLOURS.length] ?? "#333";
}

export function axes(
  xTicks: number[],
  yTicks: number[],
  x: (v: number) => number,
  y: (v: number) => number,
  xLabel: string,
  B: Box = CHART_BOX,
): SVGGElement {
  const bottom = B.height - B.bottom;
  return s(
    "g",
    { class: "axes", "aria-hidden": "true" },
    ...yTicks.map((t) =>
      s(
        "g",
        {},
        s("line", { x1: B.left, x2: B.width - B.right, y1: y(t), y2: y(t), class: "grid" }),
        s("text", { x: B.left - 4, y: y(t) + 4, "text-anchor": "end" }, t),
      ),
    ),
    ...xTicks.map((t) => s("text", { x: x(t), y: bottom + 16, "text-anchor": "middle" }, t)),
    s("line", { x1: B.left, x2: B.width - B.right, y1: bottom, y2: bottom, class: "axis" }),
    // Under the y-axis labels, at the start of the x axis: out of the way of the data and the ticks.
    s("text", { x: B.left - 4, y: bottom + 16, "text-anchor": "end", class: "axis-label" }, xLabel),
  );
}

/** One row above the plot (inside `B.top`), entries side by side. */
export function legend(names: string[], B: Box = CHART_BOX): SVGGElement {
  let x = B.left;
  return s(
    "g",
    { class: "legend" },
    ...names.map((name, i) => {
      const entry = s(
        "g",
        { transform: `translate(${x}, 2)` },
        s("rect", { width: 10, height: 10, fill: inningsColour(i) }),
        s("text", { x: 14, y: 9 }, name),
      );
      // No text measuring in a detached SVG: about 6 px a character at 11 px.
      x += 28 + name.length * 6;
      return entry;
    }),
  );
}
