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

export const CHART_BOX: Box = { width: 480, height: 230, left: 36, bottom: 24, top: 22, right: 10 };

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
