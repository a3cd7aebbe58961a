/**
 * The browser's check of a ticker frame, written without zod so the client library carries
 * no schema library for it: the same rules as the schemas in ./ticker.ts (which the server
 * and the SSE bridge use), field by field. A Node test holds the two to the same verdicts on
 * valid frames and on every kind of damage (test/node/protocol/ticker-check.test.ts).
 */
import type { TickerServerMessage } from "./ticker.ts";

export type TickerCheck = { ok: true; message: TickerServerMessage } | { ok: false; reason: string };

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown, min = 0, max = Number.POSITIVE_INFINITY) =>
  typeof v === "string" && v.length >= min && v.length <= max;
const nullOr = (v: unknown, check: (v: unknown) => boolean) => v === null || check(v);

/** The first field of a headline that breaks the rules, or null. */
function headlineProblem(h: Loose): string | null {
  if (!isText(h.matchId, 1, 128)) return "matchId";
  if (!nullOr(h.title, isText)) return "title";
  if (!Array.isArray(h.teams) || !h.teams.every((t) => isText(t))) return "teams";
  if (!isText(h.status)) return "status";
  if (!Array.isArray(h.innings)) return "innings";
  for (const [i, line] of h.innings.entries()) {
    if (
      !isObject(line) ||
      !isText(line.team) ||
      !isCount(line.runs) ||
      !isCount(line.wickets) ||
      !isText(line.overs)
    )
      return `innings.${i}`;
  }
  if (!nullOr(h.target, isCount)) return "target";
  const r = h.required;
  if (!(r === null || (isObject(r) && isCount(r.runs) && nullOr(r.balls, isCount)))) return "required";
  if (!nullOr(h.result, isText)) return "result";
  if (!isCount(h.viewers)) return "viewers";
  if (!nullOr(h.lastEventTs, isText)) return "lastEventTs";
  return null;
}

const isEpoch = (v: unknown) => isText(v, 1, 64);
const resumedFlag = (v: unknown) => v === undefined || v === true;

/** Checks one parsed ticker frame; the reason names the first field at fault. */
export function checkTickerFrame(value: unknown): TickerCheck {
  if (!isObject(value)) return { ok: false, reason: "a ticker frame is a JSON object" };
  const bad = (field: string): TickerCheck => ({
    ok: false,
    reason: `unexpected ticker message: ${String(value.type)} ${field}`,
  });
  switch (value.type) {
    case "headlines": {
      if (!isEpoch(value.epoch)) return bad("epoch");
      if (!isCount(value.version)) return bad("version");
      if (!Array.isArray(value.headlines)) return bad("headlines");
      for (const [i, h] of value.headlines.entries()) {
        const problem = isObject(h) ? headlineProblem(h) : "";
        if (problem !== null) return bad(`headlines.${i}${problem ? `.${problem}` : ""}`);
      }
      break;
    }
    case "headline": {
      const problem = headlineProblem(value);
      if (problem !== null) return bad(problem);
      if (!isCount(value.version) || !isCount(value.prev)) return bad("version");
      if (!resumedFlag(value.resumed)) return bad("resumed");
      break;
    }
    case "unlisted":
      if (!isText(value.matchId, 1, 128)) return bad("matchId");
      if (!isCount(value.version) || !isCount(value.prev)) return bad("version");
      if (!resumedFlag(value.resumed)) return bad("resumed");
      break;
    case "resumed":
      if (!isEpoch(value.epoch) || !isCount(value.version)) return bad("version");
      break;
    case "retry":
      if (!isCount(value.afterMs)) return bad("afterMs");
      if (!(value.reason === undefined || isText(value.reason, 0, 200))) return bad("reason");
      break;
    case "pong":
      break;
    default:
      return {
        ok: false,
        reason: `unexpected ticker message type ${JSON.stringify(value.type)?.slice(0, 40)}`,
      };
  }
  // Checked above, field by field, to the schemas' rules.
  return { ok: true, message: value as unknown as TickerServerMessage };
}

/** Parses and checks one ticker frame's text. */
export function readTickerFrame(frame: string): TickerCheck {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return { ok: false, reason: "ticker frame is not JSON" };
  }
  return checkTickerFrame(value);
}
