/** Pieces the charts share: axes with tick labels and titles, the innings colours, a legend. */
import { h, s } from "../dom.ts";
import { type Box, CHART_BOX } from "./scale.ts";

const COLOURS = ["#1c64d8", "#d9480f", "#2b8a3e", "#862e9c", "#5f3dc4", "#c2255c"];

export function inningsColour(i: number): string {
  return COLOURS[i % COLOURS.length] ?? "#333";
}

export interface AxesSpec {
  xTicks: number[];
  yTicks: number[];
  x: (v: number) => number;
  y: (v: number) => number;
  /** Axis titles: the x one centred under the tick labels, the y one turned up the left edge. */
  xTitle: string;
  yTitle: string;
  /** How an x tick reads; the number itself by default. */
  xFormat?: (t: number) => string;
}

/**
 * Grid lines, tick labels and axis titles. Each title has a band of the margin to itself, apart
 * from the tick labels, so they never run together (the old "overs0").
 */
export function axes(spec: AxesSpec, B: Box = CHART_BOX): SVGGElement {
  const bottom = B.height - B.bottom;
  const format = spec.xFormat ?? String;
  return s(
    "g",
    { class: "axes", "aria-hidden": "true" },
    ...spec.yTicks.map((t) =>
      s(
        "g",
        {},
        s("line", { x1: B.left, x2: B.width - B.right, y1: spec.y(t), y2: spec.y(t), class: "grid" }),
        s("text", { x: B.left - 8, y: spec.y(t), "text-anchor": "end", "dominant-baseline": "middle" }, t),
      ),
    ),
    ...spec.xTicks.map((t) =>
      s(
        "text",
        { x: spec.x(t), y: bottom + 10, "text-anchor": "middle", "dominant-baseline": "hanging" },
        format(t),
      ),
    ),
    s("line", { x1: B.left, x2: B.width - B.right, y1: bottom, y2: bottom, class: "axis" }),
    s(
      "text",
      { x: (B.left + B.width - B.right) / 2, y: B.height - 4, "text-anchor": "middle", class: "axis-title" },
      spec.xTitle,
    ),
    s(
      "text",
      {
        transform: `translate(14, ${(B.top + bottom) / 2}) rotate(-90)`,
        "text-anchor": "middle",
        "dominant-baseline": "middle",
        class: "axis-title",
      },
      spec.yTitle,
    ),
  );
}

/**
 * The legend as HTML above the drawing: the browser wraps long team names and keeps the text at
 * the page's size, where text inside the SVG would be guessed at and scaled with the chart.
 */
export function legend(names: string[]): HTMLUListElement {
  return h(
    "ul",
    { class: "legend" },
    ...names.map((name, i) =>
      h(
        "li",
        {},
        // A fill attribute, not an inline style, so a strict style-src policy would not blank it.
        s(
          "svg",
          { class: "swatch", viewBox: "0 0 10 10", "aria-hidden": "true" },
          s("rect", { width: 10, height: 10, rx: 2, fill: inningsColour(i) }),
        ),
        name,
      ),
    ),
  );
}

/** A chart with its legend, as one block for the page. */
export function withLegend(chart: SVGSVGElement, names: string[]): HTMLDivElement {
  return h("div", { class: "chart-block" }, names.length ? legend(names) : null, chart);
}
