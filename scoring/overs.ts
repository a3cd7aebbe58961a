/** Overs notation and rates: cricket writes 19 overs and 4 balls as "19.4", not 19.67. */

/** Legal balls as overs in cricket notation, e.g. 118 balls of 6 -> "19.4". */
export function formatOvers(legalBalls: number, ballsPerOver: number): string {
  return `${Math.floor(legalBalls / ballsPerOver)}.${legalBalls % ballsPerOver}`;
}

/**
 * Where a legal ball sits, as fall-of-wickets and commentary print it: `overIndex` overs done and
 * this the `legalBallInOver`-th legal ball of the next. The sixth ball of the first over is "0.6"
 * (not "1.0", which is how the innings total after it reads); a 7-ball over's last is "x.7".
 */
export function ballNotation(overIndex: number, legalBallInOver: number): string {
  return `${overIndex}.${legalBallInOver}`;
}

/**
 * Overs in cricket notation (a provider's 9.5 means 9 overs and 5 balls) to legal balls.
 * Rounding guards against 9.5 - 9 being 0.4999999.
 */
export function oversToBalls(overs: number, ballsPerOver: number): number {
  const whole = Math.floor(overs);
  return whole * ballsPerOver + Math.round((overs - whole) * 10);
}

/** Rounds to two decimals, the precision every scorecard prints rates to. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Runs per over (run rate, economy); null before a legal ball, where the rate is undefined. */
export function perOver(runs: number, legalBalls: number, ballsPerOver: number): number | null {
  return legalBalls > 0 ? round2((runs * ballsPerOver) / legalBalls) : null;
}

/** Runs per hundred balls; null before the first ball faced. */
export function strikeRate(runs: number, balls: number): number | null {
  return balls > 0 ? round2((runs * 100) / balls) : null;
}
