/**
 * The one error the engine throws: the event cannot be applied to the state it was given
 * (out of order, for another match, for an innings that is not in play...). The shell maps it
 * to a dead letter; the state it was given is untouched.
 */
export class ScoringError extends Error {
  override readonly name = "ScoringError";
}
