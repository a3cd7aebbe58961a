import { apply } from "./apply.ts";
import type { ProviderEvent } from "./events.ts";
import { ScoringError } from "./scoring-error.ts";
import { emptyState, type MatchState } from "./state.ts";

/**
 * Folds `apply` over `events`, starting from `from` (default: the empty state of the first event's
 * match). With no events and no `from` there is no match to name, so that is an error.
 */
export function replay(events: Iterable<ProviderEvent>, from?: MatchState): MatchState {
  let state = from;
  for (const event of events) state = apply(state ?? emptyState(event.matchId), event);
  if (state === undefined) throw new ScoringError("replay of no events needs a starting state");
  return state;
}
