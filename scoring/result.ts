import { assertNever } from "./assert-never.ts";
import type { MatchResult } from "./events.ts";

/**
 * Copies a result keeping only the fields that are present, so a hand-built event with
 * `method: undefined` still yields a state that survives a JSON round trip unchanged.
 */
export function normaliseResult(r: MatchResult): MatchResult {
  switch (r.kind) {
    case "win": {
      const out: MatchResult = { kind: "win", winner: r.winner };
      if (r.by !== undefined) {
        const by: { runs?: number; wickets?: number; innings?: number } = {};
        if (r.by.runs !== undefined) by.runs = r.by.runs;
        if (r.by.wickets !== undefined) by.wickets = r.by.wickets;
        if (r.by.innings !== undefined) by.innings = r.by.innings;
        out.by = by;
      }
      if (r.method !== undefined) out.method = r.method;
      return out;
    }
    case "tie": {
      const out: MatchResult = { kind: "tie" };
      if (r.method !== undefined) out.method = r.method;
      if (r.decidedBy !== undefined)
        out.decidedBy = { winner: r.decidedBy.winner, method: r.decidedBy.method };
      return out;
    }
    case "draw":
      return { kind: "draw" };
    case "no result":
      return { kind: "no result" };
    default:
      return assertNever(r);
  }
}
