/**
 * What an embedded element says about its connection, as a pure function of what it knows: the
 * subscription's status, how many handshakes failed in a row before any opened, what a probe of
 * the server said, the last close code, and the time since the last update. Honest: never "Live"
 * while the socket is down, and a refused origin or an unknown match is said in words.
 */
import type { SubscriptionStatus } from "../../../client/index.ts";

/** "12 s ago", "3 min ago", as the pages say it (web/src/dom.ts), without the DOM: tested in Node. */
function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

/** Consecutive failed handshakes (never opened) before the element asks whether it is refused. */
export const REFUSED_AFTER_FAILURES = 3;

export const MESSAGES = {
  refused: "This site is not allowed to show live scores from Crease (its origin is not in ALLOWED_ORIGINS).",
  unreachable: "Cannot reach the live score feed. Retrying…",
  notFound: "Match not found (it may not have started yet). Checking again…",
  private: "This match is private.",
  closed: "The live feed has closed.",
  broken: "The live score could not be shown.",
} as const;

export type Fault = keyof typeof MESSAGES | null;

export interface FreshnessInput {
  status: SubscriptionStatus;
  fault: Fault;
  /** Ms since the last applied version, or null before the first. */
  sinceUpdateMs: number | null;
  /** The match has a result: an open feed then says "Match over", not "Live". */
  over: boolean;
}

export interface FreshnessLine {
  /** `live`, `connecting`, `reconnecting`, `resyncing`, `over`, or `error`: styles and tests read it. */
  state: string;
  text: string;
}

export function freshnessLine(input: FreshnessInput): FreshnessLine {
  if (input.fault) return { state: "error", text: MESSAGES[input.fault] };
  const updated = input.sinceUpdateMs === null ? "" : ` · updated ${ago(input.sinceUpdateMs)}`;
  switch (input.status) {
    case "connecting":
      return { state: "connecting", text: "Connecting…" };
    case "open":
      return input.over
        ? { state: "over", text: `Match over${updated}` }
        : { state: "live", text: `Live${updated}` };
    case "resyncing":
      return { state: "resyncing", text: `Catching up…${updated}` };
    case "reconnecting":
      return { state: "reconnecting", text: `Reconnecting…${updated}` };
    case "closed":
      return { state: "error", text: MESSAGES.closed };
  }
}

/** A close code the server ends the feed with for good, in the element's words. */
export function faultForClose(code: number): Fault {
  if (code === 4004) return "notFound";
  if (code === 4001) return "private";
  return "closed";
}
