/**
 * The automatic pause: an endpoint that failed every delivery for a whole window (24 hours by
 * default) is paused, so a partner that went away stops costing retries. One success resets it.
 */

export interface Health {
  /** When the current run of failures began (the first failure after the last success); null when healthy. */
  failingSince: number | null;
}

export interface Outcome {
  ok: boolean;
  at: number;
}

/** The health after one more attempt, and whether the endpoint must be paused now. */
export function afterAttempt(
  health: Health,
  outcome: Outcome,
  pauseAfterMs: number,
): Health & { pause: boolean } {
  if (outcome.ok) return { failingSince: null, pause: false };
  const failingSince = health.failingSince ?? outcome.at;
  return { failingSince, pause: outcome.at - failingSince >= pauseAfterMs };
}
