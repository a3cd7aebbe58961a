import type { MatchResult } from "../scoring/events.ts";
import { CricsheetError } from "./cricsheet-error.ts";
import type { CricsheetMatch } from "./cricsheet-schema.ts";

/** Maps Cricsheet's `info.outcome` to the provider's match result. */
export function toMatchResult(outcome: CricsheetMatch["info"]["outcome"]): MatchResult {
  if (outcome.winner !== undefined) {
    const result: MatchResult = { kind: "win", winner: outcome.winner };
    if (outcome.by) {
      const by: { runs?: number; wickets?: number; innings?: number } = {};
      if (outcome.by.runs !== undefined) by.runs = outcome.by.runs;
      if (outcome.by.wickets !== undefined) by.wickets = outcome.by.wickets;
      if (outcome.by.innings !== undefined) by.innings = outcome.by.innings;
      result.by = by;
    }
    if (outcome.method !== undefined) result.method = outcome.method;
    return result;
  }
  switch (outcome.result) {
    case "tie": {
      const result: MatchResult = { kind: "tie" };
      if (outcome.method !== undefined) result.method = outcome.method;
      if (outcome.eliminator !== undefined) {
        result.decidedBy = { winner: outcome.eliminator, method: "super over" };
      } else if (outcome.bowl_out !== undefined) {
        result.decidedBy = { winner: outcome.bowl_out, method: "bowl-out" };
      }
      return result;
    }
    case "draw":
      return { kind: "draw" };
    case "no result":
      return { kind: "no result" };
    default:
      throw new CricsheetError(
        outcome.result === undefined
          ? "info.outcome has neither a winner nor a result"
          : `info.outcome.result ${JSON.stringify(outcome.result)} is not one of tie, draw, no result`,
      );
  }
}
