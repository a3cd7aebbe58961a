import { assertNever } from "./assert-never.ts";
import type { Fielder } from "./events.ts";
import type { Dismissal } from "./state.ts";

/** A fielder's name, or null for a substitute whose name the source did not give. */
export function fielderName(f: Fielder): string | null {
  return typeof f === "string" ? f : (f.name ?? null);
}

/** A fielder as a scorecard names them: "Smith", "sub (Smith)", or "sub" when nobody knows who. */
function fielderText(f: Fielder): string {
  if (typeof f === "string") return f;
  return f.name === undefined ? "sub" : `sub (${f.name})`;
}

function fieldersText(fielders: readonly Fielder[]): string {
  return fielders.map(fielderText).join("/");
}

/** The dismissal as a scorecard prints it: "c Smith b Jones", "c sub (Smith) b Jones", "run out (Smith)", "not out". */
export function howOut(d: Dismissal | null): string {
  if (d === null) return "not out";
  const b = d.bowler ?? "";
  switch (d.kind) {
    case "bowled":
      return `b ${b}`;
    case "caught":
      return d.fielders.length > 0 ? `c ${fieldersText(d.fielders)} b ${b}` : `c ? b ${b}`;
    case "caught and bowled":
      return `c & b ${b}`;
    case "lbw":
      return `lbw b ${b}`;
    case "stumped":
      return d.fielders.length > 0 ? `st ${fieldersText(d.fielders)} b ${b}` : `st ? b ${b}`;
    case "hit wicket":
      return `hit wicket b ${b}`;
    case "run out":
      return d.fielders.length > 0 ? `run out (${fieldersText(d.fielders)})` : "run out";
    case "obstructing the field":
    case "handled the ball":
    case "hit the ball twice":
    case "timed out":
    case "retired out":
    case "retired hurt":
    case "retired not out":
      return d.kind;
    default:
      return assertNever(d.kind);
  }
}
