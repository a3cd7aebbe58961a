/**
 * The ledger's lag window as a line: lag (received − applied) against time, up to now.
 *
 * Lag is a level: it changes when the ledger records a sample and holds until the next one. So
 * the line steps at each sample and the newest sample holds until now. That also keeps the line
 * visible when the window is a single sample, or when a fast replay folded every event into one
 * moment, where joining the samples point to point would draw nothing at all.
 */
import { h, plural, s } from "../dom.ts";
import { axes } from "./parts.ts";
import { type Box, linear, ticks } from "./scale.ts";

const B: Box = { width: 400, height: 180, left: 54, bottom: 44, top: 10, right: 14 };
/** The chart shows at least this much history, so a young window does not look stretched. */
const MIN_SPAN_MS = 20_000;

export interface LagSample {
  at: number;
  produced: number;
  consumed: number;
}

/** A lag window laid out for drawing: (seconds ago, lag) pairs, oldest first. */
export interface LagSteps {
  /** Seconds from the left edge of the chart to now. */
  span: number;
  /** The step line: each sample's lag held until the next sample, the newest held until now. */
  steps: [number, number][];
  /** One mark per sample. */
  marks: [number, number][];
}

/**
 * Pure, for the chart and its tests. A `now` earlier than the newest sample (the ledger's clock
 * ahead of the browser's) is taken as the newest sample's time, so no point lies in the future.
 */
export function lagSteps(samples: readonly LagSample[], now: number): LagSteps {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const end = Math.max(now, sorted.at(-1)?.at ?? now);
  const start = Math.min(end - MIN_SPAN_MS, sorted[0]?.at ?? end);
  const marks = sorted.map((p): [number, number] => [
    (end - p.at) / 1000,
    Math.max(0, p.produced - p.consumed),
  ]);
  const steps: [number, number][] = [];
  for (const [ago, lag] of marks) {
    const held = steps.at(-1);
    if (held) steps.push([ago, held[1]]);
    steps.push([ago, lag]);
  }
  const last = steps.at(-1);
  if (last) steps.push([0, last[1]]);
  return { span: (end - start) / 1000, steps, marks };
}

/** The chart with its visible title; `titleId` names it for the drawing's aria-labelledby. */
export function lagLine(samples: readonly LagSample[], now: number, titleId: string): HTMLElement {
  const { span, steps, marks } = lagSteps(samples, now);
  const maxLag = Math.max(5, ...steps.map((p) => p[1]));
  // Seconds ago run right to left: now at the right edge.
  const x = linear(span, B.width - B.right, B.left);
  const y = linear(maxLag, B.height - B.bottom, B.top);
  const newest = marks.at(-1);
  const shown = span < 120 ? `${Math.round(span)} s` : `${Math.round(span / 60)} min`;
  const title = `Lag: events received but not yet applied, last ${shown}`;
  const description = newest
    ? `${plural(newest[1], "event")} behind now; at most ${plural(Math.max(...marks.map((p) => p[1])), "event")} in the window`
    : "No samples yet";
  return h(
    "figure",
    { class: "lag-figure" },
    h("figcaption", { id: titleId, class: "chart-title", "data-testid": "lag-title" }, title),
    s(
      "svg",
      {
        viewBox: `0 0 ${B.width} ${B.height}`,
        role: "img",
        "aria-labelledby": titleId,
        class: "chart lag",
        "data-testid": "lag-line",
        "data-points": samples.length,
      },
      s("desc", {}, description),
      axes(
        {
          xTicks: ticks(span, 4),
          yTicks: ticks(maxLag, 3),
          x,
          y,
          xTitle: "Seconds ago",
          yTitle: "Events",
          xFormat: (t) => (t === 0 ? "now" : String(t)),
        },
        B,
      ),
      steps.length
        ? s("path", {
            d: steps.map(([px, py], k) => `${k === 0 ? "M" : "L"}${x(px)},${y(py)}`).join(" "),
            class: "lag-path",
            fill: "none",
            stroke: "#1c64d8",
            "stroke-width": 2.5,
            "data-testid": "lag-path",
          })
        : s(
            "text",
            { x: (B.left + B.width - B.right) / 2, y: B.height / 2, "text-anchor": "middle" },
            "No samples yet",
          ),
      // A mark per sample, so a window of one sample still shows where it was taken.
      ...marks.map(([ago, lag]) => s("circle", { cx: x(ago), cy: y(lag), r: 3, class: "lag-mark" })),
    ),
  );
}
