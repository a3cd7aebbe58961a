/**
 * A feed closed for good with a reason the viewer can act on: a match that has not started
 * (4004: no event received yet, or removed) or a private one (4001). For the first, the page
 * asks the match list's cheap route now and then and starts over once the first ball is in:
 * a fan who opens the page before the toss sees the match begin without reloading by hand.
 */
import { byId } from "../dom.ts";

const UNKNOWN_MATCH = 4004;
const UNAUTHORIZED = 4001;
/** How often a waiting page asks whether the match has begun (plain HTTP, cacheable, metered). */
export const WAIT_POLL_MS = 5000;

export function explainClose(code: number, matchId: string): void {
  const note = byId("sync-note");
  if (code === UNAUTHORIZED) {
    note.hidden = false;
    note.textContent = "This match is private: it needs a viewer token.";
    return;
  }
  if (code !== UNKNOWN_MATCH) return;
  note.hidden = false;
  note.textContent = "This match has not started yet: the page will follow it from its first ball.";
  const poll = async () => {
    const res = await fetch(`/v1/matches/${encodeURIComponent(matchId)}`).catch(() => null);
    if (res?.ok) location.reload();
    else setTimeout(poll, WAIT_POLL_MS);
  };
  setTimeout(poll, WAIT_POLL_MS);
}
