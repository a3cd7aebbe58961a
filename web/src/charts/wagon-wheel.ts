/** The wagon wheel: one line per scoring shot that came with a direction, from the pitch outwards. */
import type { BallRecord } from "../../../scoring/index.ts";
import { h, plural, s } from "../dom.ts";

const SIZE = 220;
const C = SIZE / 2;
/** Metres that reach the rope on the drawing. */
const BOUNDARY_M = 80;

function colour(b: BallRecord): string {
  if (b.batterRuns >= 6) return "#c2255c";
  if (b.batterRuns >= 4) return "#1c64d8";
  return "#868e96";
}

export function wagonWheel(balls: BallRecord[]): HTMLElement | SVGSVGElement {
  const shots = balls.filter((b) => b.shot !== null && b.batterRuns > 0);
  if (shots.length === 0)
    return h(
      "p",
      { class: "no-data", "data-testid": "wagon-wheel" },
      "No shot data: this feed sends no shot directions.",
    );
  const r = C - 8;
  return s(
    "svg",
    {
      viewBox: `0 0 ${SIZE} ${SIZE}`,
      role: "img",
      "aria-label": `Wagon wheel: ${plural(shots.length, "scoring shot")}`,
      "data-testid": "wagon-wheel",
      class: "chart wagon",
    },
    s("circle", { cx: C, cy: C, r, class: "field" }),
    s("rect", { x: C - 3, y: C - 12, width: 6, height: 24, class: "pitch" }),
    ...shots.map((b) => {
      // Degrees clockwise from straight down the ground, which is up on the drawing.
      const angle = ((b.shot?.angle ?? 0) * Math.PI) / 180;
      const length =
        Math.min(1, (b.shot?.distance ?? (b.batterRuns >= 4 ? BOUNDARY_M : 40)) / BOUNDARY_M) * r;
      return s("line", {
        x1: C,
        y1: C,
        x2: Math.round((C + Math.sin(angle) * length) * 10) / 10,
        y2: Math.round((C - Math.cos(angle) * length) * 10) / 10,
        stroke: colour(b),
        "stroke-width": 1.5,
      });
    }),
  );
}
