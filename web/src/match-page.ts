/** `/match.html?id=ID`: one match, live, through the client library's WebSocket subscription. */
import { ServerClosedError, subscribe } from "../../client/index.ts";
import { type MatchState, scorecard } from "../../scoring/index.ts";
import { manhattanChart } from "./charts/manhattan.ts";
import { wagonWheel } from "./charts/wagon-wheel.ts";
import { wormChart } from "./charts/worm.ts";
import { byId, fill, h } from "./dom.ts";
import { watchFreshness } from "./match/freshness.ts";
import { renderCrease, renderHeadline, renderRecentOvers } from "./match/live-panel.ts";
import { explainClose } from "./match/not-yet.ts";
import { renderCard, renderTabs } from "./match/scorecards.ts";

const params = new URLSearchParams(location.search);
const matchId = params.get("id");

if (!matchId) {
  fill(byId("main"), h("p", {}, "No match chosen. ", h("a", { href: "/" }, "Back to the match list")));
} else {
  start(matchId, params.get("region") ?? undefined);
}

function start(matchId: string, region: string | undefined): void {
  const sub = subscribe<MatchState>({ baseUrl: location.origin, matchId, ...(region ? { region } : {}) });
  const freshness = watchFreshness(sub);
  // Follow the innings in play until the viewer picks one.
  let chosen: number | null = null;
  let latest: MatchState | null = null;

  const render = () => {
    const state = latest;
    if (!state) return;
    const card = scorecard(state);
    const current = card.innings.at(-1);
    const currentState = state.innings.at(-1);
    const info = state.match;
    document.title = `${info ? info.teams.join(" v ") : matchId} · Crease`;
    fill(byId("title"), info ? info.teams.join(" v ") : matchId);
    fill(byId("subtitle"), [info?.title, info?.format, info?.venue].filter(Boolean).join(" · "));
    freshness.setMatchOver(state.status === "finished");
    renderHeadline(byId("headline"), card, current);
    renderCrease(byId("crease"), current, currentState);
    renderRecentOvers(byId("recent-overs"), currentState);

    const ballsPerOver = info?.ballsPerOver ?? 6;
    const main = card.innings.filter((i) => !i.superOver);
    fill(byId("worm"), wormChart(main, ballsPerOver, info?.oversLimit ?? null));
    fill(byId("manhattan"), manhattanChart(main, info?.oversLimit ?? null));
    fill(byId("wagon"), wagonWheel(currentState?.balls ?? []));

    const selected = chosen ?? current?.number ?? 1;
    renderTabs(byId("tabs"), card.innings, selected, (n) => {
      chosen = n;
      render();
    });
    renderCard(
      byId("card-panel"),
      card.innings.find((i) => i.number === selected),
    );
    byId("main").dataset.seq = String(sub.seq ?? 0);
  };

  // Patches can arrive in bursts; draw at most once a frame.
  let queued = false;
  sub.on("update", ({ state }) => {
    latest = state;
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  });
  sub.on("error", (err) => {
    console.warn("live feed:", err.message);
    if (err instanceof ServerClosedError) explainClose(err.code, matchId);
  });
}
