/** The ledger's lag window as a line: lag (received − applied) against time, last 20 samples. */
import { s } from "../dom.ts";
import { axes } from "./parts.ts";
import { type Box, linear, ticks } from "./scale.ts";

const B: Box = { width: 360, height: 120, left: 32, bottom: 20, top: 8, right: 8 };

export function lagLine(
  samples: { at: number; produced: number; consumed: number }[],
  now: number,
): SVGSVGElement {
  const from = Math.min(now - 20_000, ...samples.map((p) => p.at));
  const span = Math.max(1, (now - from) / 1000);
  const points = samples.map((p) => [(p.at - from) / 1000, Math.max(0, p.produced - p.consumed)] as const);
  const maxLag = Math.max(5, ...points.map((p) => p[1]));
  const x = linear(span, B.left, B.width - B.right);
  const y = linear(maxLag, B.height - B.bottom, B.top);
  return s(
    "svg",
    {
      viewBox: `0 0 ${B.width} ${B.height}`,
      role: "img",
      "aria-label": `Lag over the last ${Math.round(span)} s`,
      class: "chart lag",
      "data-testid": "lag-line",
      "data-points": points.length,
    },
    axes(
      ticks(span, 4).map((t) => Math.round(t)),
      ticks(maxLag, 3),
      x,
      y,
      "s",
      B,
    ),
    s("path", {
      d: points.map(([px, py], k) => `${k === 0 ? "M" : "L"}${x(px)},${y(py)}`).join(" "),
      fill: "none",
      stroke: "#1c64d8",
      "stroke-width": 2,
    }),
  );
}
