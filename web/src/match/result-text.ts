/** The result line as a scorecard prints it. */
import type { MatchResult } from "../../../scoring/index.ts";
import { plural } from "../dom.ts";

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

function assertNever(x: never): never {
  throw new Error(`unexpected result ${JSON.stringify(x)}`);
}
