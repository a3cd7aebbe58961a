/** `/`: the known matches, live first, refreshed every few seconds. */
import { byId, fill, h } from "./dom.ts";

interface MatchSummary {
  matchId: string;
  seq: number;
  status: string;
  teams: string[];
  title: string | null;
  viewers?: number;
}

const REFRESH_MS = 3000;
const ORDER: Record<string, number> = { live: 0, "innings break": 1, scheduled: 2, finished: 3 };

async function refresh(): Promise<void> {
  const updated = byId("updated");
  try {
    const res = await fetch("/v1/matches");
    if (!res.ok) throw new Error(`the match list answered ${res.status}`);
    const { matches } = (await res.json()) as { matches: MatchSummary[] };
    matches.sort(
      (a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.matchId.localeCompare(b.matchId),
    );
    byId("empty").hidden = matches.length > 0;
    fill(byId("matches"), ...matches.map(item));
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    updated.textContent = `could not refresh: ${(err as Error).message}`;
  }
}

function item(m: MatchSummary): HTMLLIElement {
  const teams = m.teams.join(" v ");
  return h(
    "li",
    { "data-testid": "match-item", "data-match-id": m.matchId },
    h(
      "a",
      { href: `/match.html?id=${encodeURIComponent(m.matchId)}` },
      h("span", { class: "title" }, teams || m.matchId),
      " ",
      h("span", { class: `badge ${m.status === "live" ? "live" : ""}` }, m.status),
      h("br"),
      h(
        "span",
        { class: "meta" },
        [m.title, m.matchId, `seq ${m.seq}`, m.viewers !== undefined ? `${m.viewers} watching` : null]
          .filter(Boolean)
          .join(" · "),
      ),
    ),
  );
}

void refresh();
setInterval(() => void refresh(), REFRESH_MS);
