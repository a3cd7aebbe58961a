import type { MatchState } from "../scoring/index.ts";
import type { JsonValue } from "./live-messages.ts";

/**
 * The state as plain JSON, for the wire: a MatchState is JSON by construction (the engine builds
 * it from numbers, strings, arrays and plain objects), so this is the one cast that says so,
 * shared by the ledger (which publishes states) and the read side (which serves them).
 */
export function stateAsJson(state: MatchState): JsonValue {
  return state as unknown as JsonValue;
}
