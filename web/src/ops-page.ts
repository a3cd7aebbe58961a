/**
 * `/ops.html`: per match, received / applied / delivered seq, the lag window as a line with its
 * slope and Burrow status, dead letters with replay and discard, rooms per region with viewers.
 */
import { lagLine } from "./charts/lag-line.ts";
import { ago, byId, fill, h } from "./dom.ts";
import {
  adminApi,
  type Conflict,
  type DeadLetter,
  type LagReport,
  storedToken,
  storeToken,
  Unauthorized,
} from "./ops/admin-api.ts";
import { renderWebhooks } from "./ops/webhooks-panel.ts";

const REFRESH_MS = 2000;
const login = byId<HTMLFormElement>("login");
const ops = byId("ops");
/** One section per match, kept across refreshes so buttons keep keyboard focus. */
const sections = new Map<
  string,
  { root: HTMLElement; live: HTMLElement; dead: HTMLElement; deadKey: string }
>();
let timer: ReturnType<typeof setInterval> | null = null;

login.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>("token");
  storeToken(input.value.trim());
  input.value = "";
  void show();
});
byId("logout").addEventListener("click", () => {
  storeToken(null);
  void show();
});

async function show(): Promise<void> {
  const signedIn = storedToken() !== null;
  login.hidden = signedIn;
  ops.hidden = !signedIn;
  if (timer !== null) clearInterval(timer);
  timer = null;
  if (!signedIn) {
    byId("token").focus();
    return;
  }
  await refresh();
  timer = setInterval(() => void refresh(), REFRESH_MS);
}

async function refresh(): Promise<void> {
  const updated = byId("updated");
  try {
    const fastRead = await adminApi.fastRead();
    byId("redis-breaker").textContent =
      fastRead.mode === "upstash"
        ? `Redis (Upstash) breaker: ${fastRead.breaker}`
        : `Redis: not configured (embedded mode); breaker: ${fastRead.breaker}`;
    await renderWebhooks(byId("webhooks"), refresh);
    const matches = await adminApi.matches();
    const reports = await Promise.all(
      matches.map(async (m) => ({
        m,
        lag: await adminApi.lag(m.matchId),
        dead: await adminApi.deadLetters(m.matchId),
      })),
    );
    const container = byId("matches");
    if (reports.length === 0) fill(container, h("p", {}, "No matches yet."));
    else if (!container.querySelector("section")) fill(container);
    for (const { m, lag, dead } of reports) {
      const section = sectionFor(m.matchId, `${m.teams.join(" v ")}`, container);
      renderLive(section.live, lag);
      const key = JSON.stringify(dead);
      if (key !== section.deadKey) {
        section.deadKey = key;
        renderDeadLetters(section.dead, m.matchId, dead);
      }
    }
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    if (err instanceof Unauthorized) {
      storeToken(null);
      await show();
      byId("login-error").textContent = err.message;
      return;
    }
    updated.textContent = `could not refresh: ${(err as Error).message}`;
  }
}

function sectionFor(matchId: string, teams: string, container: HTMLElement) {
  const existing = sections.get(matchId);
  if (existing) return existing;
  const live = h("div", {});
  const dead = h("div", {});
  const root = h(
    "section",
    { class: "panel ops-match", "data-testid": "ops-match", "data-match-id": matchId },
    h("h2", {}, teams, " ", h("code", {}, matchId)),
    live,
    h("h3", {}, "Dead letters"),
    dead,
  );
  container.append(root);
  const entry = { root, live, dead, deadKey: "" };
  sections.set(matchId, entry);
  return entry;
}

function renderLive(el: HTMLElement, lag: LagReport): void {
  const delivered = lag.edge.length ? Math.min(...lag.edge.map((r) => r.confirmedSeq)) : null;
  const seqs: [string, string][] = [
    ["received", String(lag.receivedSeq)],
    ["applied", String(lag.appliedSeq)],
    ["delivered", delivered === null ? "– (no rooms)" : String(delivered)],
    ["buffered", String(lag.buffered)],
    ["gaps", String(lag.gaps.length)],
    ["conflicts", String(lag.conflicts)],
  ];
  fill(
    el,
    h(
      "dl",
      { class: "facts seqs" },
      ...seqs.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", { "data-testid": `seq-${k}` }, v))),
    ),
    h(
      "p",
      { "data-testid": "ledger-health" },
      "Ledger ",
      h("span", { class: `badge ${lag.status}`, "data-testid": "ledger-status" }, lag.status),
      " ",
      h("span", { class: "subtitle" }, lag.reason),
    ),
    lag.openConflicts.length > 0 ? conflictsTable(lag) : "",
    h(
      "p",
      {},
      "Lag ",
      h("strong", { "data-testid": "lag" }, lag.consumer.lag),
      ", slope ",
      h("strong", { "data-testid": "lag-slope" }, `${lag.consumer.slopePerSecond.toFixed(2)}/s`),
      " ",
      h("span", { class: `badge ${lag.consumer.status}`, "data-testid": "lag-status" }, lag.consumer.status),
      " ",
      h("span", { class: "subtitle" }, lag.consumer.reason),
    ),
    lagLine(lag.consumer.samples, Date.now(), `lag-title-${lag.matchId.replace(/\s/g, "_")}`),
    h("h3", {}, "Rooms per region"),
    lag.edge.length
      ? h(
          "table",
          { "data-testid": "regions" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Region", "Viewers", "Confirmed seq", "Lag", "Status", "Reported"].map((t, i) =>
                h("th", { scope: "col", class: i >= 1 && i <= 3 ? "num" : null }, t),
              ),
            ),
          ),
          h(
            "tbody",
            {},
            ...lag.edge.map((r) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, r.region),
                h("td", { class: "num" }, r.viewers),
                h("td", { class: "num" }, r.confirmedSeq),
                h("td", { class: "num" }, r.lag),
                h("td", {}, h("span", { class: `badge ${r.status}` }, r.status)),
                // The ledger's clock, compared with the browser's: rough, but says "minutes" vs "seconds".
                h("td", {}, ago(Date.now() - r.reportedAt)),
              ),
            ),
          ),
        )
      : h("p", { class: "subtitle" }, "No region has viewers."),
  );
}

/** One line of an event for the conflicts table: its type and the fields that tell two bodies apart. */
function eventLine(body: unknown): string {
  if (body === null || typeof body !== "object") return "– (discarded)";
  const { type, ts, payload } = body as { type?: unknown; ts?: unknown; payload?: unknown };
  return `${String(type)} at ${String(ts)} ${JSON.stringify(payload ?? {}).slice(0, 160)}`;
}

/** Open conflicts with both bodies, and the operator's two answers. */
function conflictsTable(lag: LagReport): HTMLElement {
  const keep = (c: Conflict, side: "stored" | "incoming") => {
    const b = h(
      "button",
      { type: "button", "data-testid": `conflict-keep-${side}-${c.seq}` },
      `Keep ${side}`,
    );
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await adminApi.resolveConflict(lag.matchId, c.seq, side);
      } catch (error) {
        alert(error instanceof Error ? error.message : String(error));
      }
      b.disabled = false;
    });
    return b;
  };
  return h(
    "table",
    { "data-testid": "conflicts" },
    h(
      "thead",
      {},
      h("tr", {}, ...["Seq", "Stored", "Incoming", ""].map((t) => h("th", { scope: "col" }, t))),
    ),
    h(
      "tbody",
      {},
      ...lag.openConflicts.map((c) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, c.held ? `${c.seq} (holding the match)` : String(c.seq)),
          h("td", {}, h("code", {}, eventLine(c.stored))),
          h("td", {}, h("code", {}, eventLine(c.incoming))),
          h("td", {}, keep(c, "stored"), " ", keep(c, "incoming")),
        ),
      ),
    ),
  );
}

function renderDeadLetters(el: HTMLElement, matchId: string, dead: DeadLetter[]): void {
  if (dead.length === 0) {
    fill(el, h("p", { class: "subtitle", "data-testid": "dead-letters" }, "None."));
    return;
  }
  const button = (d: DeadLetter, action: "replay" | "discard") => {
    const b = h(
      "button",
      {
        type: "button",
        class: action === "discard" ? "danger" : "",
        "data-testid": `dead-${action}-${d.seq}`,
      },
      action === "replay" ? "Replay" : "Discard",
    );
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        const out = await adminApi.act(matchId, d.seq, action);
        if (action === "replay" && out.applied === false) alert(`seq ${d.seq} failed again; it stays parked`);
      } catch (err) {
        alert((err as Error).message);
      }
      await refresh();
    });
    return b;
  };
  fill(
    el,
    h(
      "table",
      { "data-testid": "dead-letters" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Seq", "Type", "Error", "Tries", "Status", ""].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      h(
        "tbody",
        {},
        ...dead.map((d) =>
          h(
            "tr",
            {},
            h("td", { class: "num" }, d.seq),
            h("td", {}, d.type),
            h("td", {}, d.error),
            h("td", { class: "num" }, d.attempts),
            h("td", {}, d.status),
            h(
              "td",
              {},
              d.status === "dead" ? h("span", {}, button(d, "replay"), " ", button(d, "discard")) : "",
            ),
          ),
        ),
      ),
    ),
  );
}

void show();
