/**
 * Honest freshness: the connection state in words, how long since the last version, and a
 * visible note while the client is resyncing or reconnecting. Never claims "live" when it is not:
 * not while the connection is down, and not once the match has ended.
 */
import type { Subscription, SubscriptionStatus } from "../../../client/index.ts";
import { ago, byId } from "../dom.ts";

const LABELS = {
  connecting: "Connecting…",
  open: "Live",
  resyncing: "Resyncing…",
  reconnecting: "Reconnecting…",
  closed: "Disconnected",
} as const satisfies Record<SubscriptionStatus, string>;
const MATCH_OVER = "Match over";

const NOTES: Partial<Record<SubscriptionStatus, string>> = {
  resyncing: "Resyncing: a version was missed, fetching what changed. The score below may be behind.",
  reconnecting: "Reconnecting… the connection dropped. The score below is the last one received.",
  closed: "The live feed has closed. Reload the page to try again.",
};

/** What the page tells the freshness line about the match itself. */
export interface Freshness {
  /**
   * The match has ended: with the feed open the indicator says "Match over", not "Live". The
   * subscription stays open, since a scorer's correction can still follow the result.
   */
  setMatchOver(over: boolean): void;
}

export function watchFreshness(sub: Subscription<unknown>): Freshness {
  const indicator = byId("connection");
  const updated = byId("updated");
  const note = byId("sync-note");
  const viewers = byId("viewers");
  let matchOver = false;

  const showStatus = (status: SubscriptionStatus) => {
    const over = matchOver && status === "open";
    // data-connection is the socket's state; data-status is what the dot shows.
    indicator.dataset.connection = status;
    indicator.dataset.status = over ? "match-over" : status;
    indicator.textContent = over ? MATCH_OVER : LABELS[status];
    const text = NOTES[status];
    note.hidden = !text;
    note.textContent = text ?? "";
  };
  const tick = () => {
    updated.textContent =
      sub.lastUpdateAt === null ? "no update yet" : `updated ${ago(Date.now() - sub.lastUpdateAt)}`;
  };

  showStatus(sub.status);
  sub.on("status", showStatus);
  sub.on("presence", (p) => {
    viewers.textContent = `${p.viewers} watching${p.stale ? " (may be stale)" : ""}`;
  });
  sub.on("update", tick);
  setInterval(tick, 1000);
  tick();
  return {
    setMatchOver(over) {
      if (over === matchOver) return;
      matchOver = over;
      showStatus(sub.status);
    },
  };
}
