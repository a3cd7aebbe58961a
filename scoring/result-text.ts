import { assertNever } from "./assert-never.ts";
import type { MatchResult } from "./events.ts";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The result line as a scorecard prints it: "Rajasthan Royals won by 4 wickets". */
export function resultText(result: MatchResult): string {
  switch (result.kind) {
    case "win": {
      const by = result.by;
      const margin = by?.innings
        ? `an innings and ${plural(by.runs ?? 0, "run")}`
        : by?.runs !== undefined
          ? plural(by.runs, "run")
          : by?.wickets !== undefined
            ? plural(by.wickets, "wicket")
            : null;
      const method = result.method ? ` (${result.method})` : "";
      return margin ? `${result.winner} won by ${margin}${method}` : `${result.winner} won${method}`;
    }
    case "tie":
      return result.decidedBy
        ? `Match tied${result.method ? ` (${result.method})` : ""}; ${result.decidedBy.winner} won the ${result.decidedBy.method}`
        : `Match tied${result.method ? ` (${result.method})` : ""}`;
    case "draw":
      return "Match drawn";
    case "no result":
      return "No result";
    default:
      return assertNever(result);
  }
}
