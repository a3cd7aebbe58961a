/** Linear scales and axis ticks for the hand-drawn SVG charts. */

export interface Box {
  width: number;
  height: number;
  /** Room for axis labels: left and bottom. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

/**
 * The match charts' drawing box. Its width is about the width a chart column has on a desktop
 * (72rem page, worm and manhattan at 2/5 each), so 13-unit text draws at about 13 px there and
 * about 11 px on a phone; the margins leave room for tick labels plus an axis title on each axis.
 */
export const CHART_BOX: Box = { width: 400, height: 250, left: 54, bottom: 44, top: 12, right: 14 };

/** Maps [0, max] onto [from, to]; a zero max is treated as 1 so an empty chart still draws. */
export function linear(max: number, from: number, to: number): (v: number) => number {
  const m = max > 0 ? max : 1;
  return (v) => Math.round((from + (v / m) * (to - from)) * 10) / 10;
}

/** Round steps (1, 2, 5 × 10^k) up to max: about `count` of them. */
export function ticks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * pow).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}
