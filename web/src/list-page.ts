/**
 * `/`: the known matches, live first, each with its score, status and viewers. The list comes
 * from `GET /v1/matches` once; then the ticker (`subscribeTicker()`, one socket for every live
 * match) updates each entry as its headline changes, without a reload. While the ticker is not
 * open (connecting, reconnecting, or refused for good) the page falls back to polling the list
 * every few seconds. Entries are updated in place, so a reader's keyboard focus and place
 * survive an update.
 */
import { type Headline, subscribeTicker, type TickerSubscription } from "../../client/index.ts";
import { byId, fill, h } from "./dom.ts";
import { type ListedMatch, newerLine, parseMatches, scoreText, statusLabel } from "./list/summary.ts";

const REFRESH_MS = 3000;
/** How long the ticker may be away before the page polls instead. */
const TICKER_GRACE_MS = 5000;
const ORDER: Record<string, number> = { live: 0, "innings break": 1, scheduled: 2, finished: 3 };

interface Entry {
  li: HTMLLIElement;
  /** Kept across refreshes, so keyboard focus on a link survives them. */
  link: HTMLAnchorElement;
  badge: HTMLSpanElement;
  /** Score, result and viewers: redrawn whole when they change. */
  body: HTMLDivElement;
  /** What the entry last showed, to skip redrawing what did not change. */
  shown: string;
}

const entries = new Map<string, Entry>();
/** Every match the page knows, by id: the list's lines, with the ticker's headlines merged in. */
const known = new Map<string, ListedMatch>();
let timer: ReturnType<typeof setTimeout> | null = null;
let running = false;
let tickerOpen = false;
let ticker: TickerSubscription | null = null;

async function refresh(): Promise<void> {
  // One poll at a time: a refresh asked for while one runs is the one that runs.
  if (running) return;
  running = true;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  try {
    const res = await fetch("/v1/matches", { cache: "no-store" });
    if (!res.ok) throw new Error(`the match list answered ${res.status}`);
    known.clear();
    for (const m of parseMatches(await res.json())) known.set(m.matchId, m);
    // The ticker's headlines where they are newer (it coalesces, so it may be a moment behind).
    if (tickerOpen)
      for (const h of ticker?.headlines ?? [])
        known.set(h.matchId, newerLine(known.get(h.matchId), fromHeadline(h)));
    render(tickerOpen ? "ticker" : "poll");
  } catch (err) {
    byId("updated").textContent = `could not refresh: ${(err as Error).message}`;
  }
  running = false;
  // Polling only stands in for the ticker; a hidden tab stops it, and becoming visible refreshes.
  if (!tickerOpen && !document.hidden) timer = setTimeout(() => void refresh(), REFRESH_MS);
}

/** Draws the list; `from` says which source last updated it (the page's test reads it). */
function render(from: "ticker" | "poll"): void {
  const matches = [...known.values()].sort(
    (a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.matchId.localeCompare(b.matchId),
  );
  byId("empty").hidden = matches.length > 0;
  show(byId("matches"), matches);
  const updated = byId("updated");
  updated.dataset.source = from;
  updated.textContent = `${from === "ticker" ? "live" : "updated"} ${new Date().toLocaleTimeString()}`;
}

/** A headline as a list line: what the list would say about the match now. */
function fromHeadline(h: Headline): ListedMatch {
  const { matchId, status, teams, title, innings, result, viewers, lastEventTs } = h;
  return { matchId, status, teams, title, innings, result, viewers, lastEventTs };
}

/** The ticker: every live match's headline as it changes, and the fallback to polling while it is away. */
function follow(): void {
  let away: ReturnType<typeof setTimeout> | null = null;
  const live = subscribeTicker({ baseUrl: location.origin });
  ticker = live;
  live.on("update", ({ headlines, changed }) => {
    const changedIds = new Set(changed);
    for (const headline of headlines)
      if (changedIds.has(headline.matchId))
        known.set(headline.matchId, newerLine(known.get(headline.matchId), fromHeadline(headline)));
    render("ticker");
  });
  live.on("status", (status) => {
    tickerOpen = status === "open";
    if (tickerOpen) {
      if (away !== null) clearTimeout(away);
      away = null;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      return;
    }
    // Refused for good (an old server without the ticker, a policy close): poll from now on.
    if (status === "closed") return void refresh();
    away ??= setTimeout(() => {
      away = null;
      if (!tickerOpen) void refresh();
    }, TICKER_GRACE_MS);
  });
}

function show(list: HTMLElement, matches: ListedMatch[]): void {
  const wanted = new Set(matches.map((m) => m.matchId));
  for (const [id, entry] of entries)
    if (!wanted.has(id)) {
      entry.li.remove();
      entries.delete(id);
    }
  const items = matches.map((m) => {
    const entry = entries.get(m.matchId) ?? create(m.matchId);
    const key = JSON.stringify(m);
    if (entry.shown !== key) {
      entry.shown = key;
      draw(entry, m);
    }
    return entry.li;
  });
  // Reorder only when the order changed (a match went live or ended), then give focus back:
  // moving a focused element out and in again drops its focus.
  const order = [...list.children];
  if (items.length !== order.length || items.some((li, i) => order[i] !== li)) {
    const focused = document.activeElement;
    list.append(...items);
    if (focused instanceof HTMLElement && list.contains(focused) && document.activeElement !== focused)
      focused.focus();
  }
}

function create(matchId: string): Entry {
  const link = h("a", { href: `/match.html?id=${encodeURIComponent(matchId)}`, class: "title" });
  const badge = h("span", { class: "badge", "data-testid": "match-status" });
  const body = h("div", {});
  const li = h(
    "li",
    { "data-testid": "match-item", "data-match-id": matchId },
    h("div", { class: "head" }, link, " ", badge),
    body,
  );
  const entry = { li, link, badge, body, shown: "" };
  entries.set(matchId, entry);
  return entry;
}

function draw({ li, link, badge, body }: Entry, m: ListedMatch): void {
  li.dataset.status = m.status;
  link.textContent = m.teams.join(" v ") || m.matchId;
  badge.textContent = statusLabel(m.status);
  badge.classList.toggle("live", m.status === "live");
  // The innings in play is the last one while the match is live; otherwise none is.
  const current = m.status === "live" ? m.innings?.at(-1) : undefined;
  fill(
    body,
    m.innings?.length
      ? h(
          "ul",
          { class: "list-scores", "data-testid": "match-score" },
          ...m.innings.map((i) =>
            h(
              "li",
              { class: i === current ? "current" : null },
              `${i.team} `,
              h("strong", {}, scoreText(i)),
              ` (${i.overs} ov)`,
            ),
          ),
        )
      : null,
    m.result ? h("p", { class: "list-result", "data-testid": "match-result" }, m.result) : null,
    h(
      "p",
      { class: "meta", "data-testid": "match-meta" },
      [m.title, m.viewers === null ? null : `${m.viewers} watching`].filter(Boolean).join(" · "),
    ),
  );
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && !tickerOpen) void refresh();
});
void refresh();
follow();
