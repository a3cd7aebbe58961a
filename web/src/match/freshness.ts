/**
 * Honest freshness: the connection state in words, how long since the last version, and a
 * visible note while the client is resyncing or reconnecting. Never claims "live" when it is not.
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

const NOTES: Partial<Record<SubscriptionStatus, string>> = {
  resyncing: "Resyncing: a version was missed, fetching what changed. The score below may be behind.",
  reconnecting: "Reconnecting… the connection dropped. The score below is the last one received.",
  closed: "The live feed has closed. Reload the page to try again.",
};

export function watchFreshness(sub: Subscription<unknown>): void {
  const indicator = byId("connection");
  const updated = byId("updated");
  const note = byId("sync-note");
  const viewers = byId("viewers");

  const showStatus = (status: SubscriptionStatus) => {
    indicator.dataset.status = status;
    indicator.textContent = LABELS[status];
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
}
