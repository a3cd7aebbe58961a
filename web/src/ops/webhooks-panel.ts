/**
 * The ops page's "Partner webhooks" section: each endpoint with its status, its recent success
 * rate and latency, its last error, and its dead letters with a replay button
 * (GET /v1/admin/webhooks, GET …/:id, GET …/:id/dead-letters; docs/webhooks.md).
 */
import type { EndpointDetail, EndpointView, WebhookDeadLetter } from "../../../protocol/webhooks.ts";
import { ago, fill, h } from "../dom.ts";
import { adminCall } from "./admin-api.ts";

interface EndpointReport {
  endpoint: EndpointDetail;
  dead: WebhookDeadLetter[];
}

async function load(): Promise<EndpointReport[]> {
  const { endpoints } = await adminCall<{ endpoints: EndpointView[] }>("/v1/admin/webhooks");
  return Promise.all(
    endpoints.map(async (e) => ({
      endpoint: await adminCall<EndpointDetail>(`/v1/admin/webhooks/${e.id}`),
      dead: (await adminCall<{ deadLetters: WebhookDeadLetter[] }>(`/v1/admin/webhooks/${e.id}/dead-letters`))
        .deadLetters,
    })),
  );
}

const percent = (rate: number | null) =>
  rate === null ? "–" : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`;
const ms = (value: number | null) => (value === null ? "–" : `${value} ms`);

/** Fills `el` with the section; `refresh` is called after a replay. */
export async function renderWebhooks(el: HTMLElement, refresh: () => Promise<void>): Promise<void> {
  const reports = await load();
  const key = JSON.stringify(reports);
  if (el.dataset.key === key) return; // unchanged: keep focus on the buttons
  el.dataset.key = key;
  if (reports.length === 0) {
    fill(el, h("h2", {}, "Partner webhooks"), h("p", { class: "subtitle" }, "No endpoints registered."));
    return;
  }
  const headers = ["Endpoint", "Status", "Recent success", "p50", "p95", "Delivered", "Last error", "Dead"];
  fill(
    el,
    h("h2", {}, "Partner webhooks"),
    h(
      "table",
      { "data-testid": "webhook-endpoints" },
      h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        ...reports.map(({ endpoint: e }) =>
          h(
            "tr",
            { "data-endpoint-id": e.id },
            h("th", { scope: "row" }, h("code", {}, e.url), " ", h("span", { class: "subtitle" }, e.id)),
            h("td", {}, h("span", { class: `badge ${e.status === "active" ? "OK" : "STOPPED"}` }, e.status)),
            h(
              "td",
              { class: "num", "data-testid": "webhook-success" },
              `${percent(e.stats.recent.successRate)} of ${e.stats.recent.window}`,
            ),
            h("td", { class: "num" }, ms(e.stats.recent.p50Ms)),
            h("td", { class: "num" }, ms(e.stats.recent.p95Ms)),
            h("td", { class: "num" }, `${e.stats.successes}/${e.stats.attempts}`),
            h(
              "td",
              {},
              e.stats.lastError ?? "",
              e.stats.lastErrorAt
                ? h("span", { class: "subtitle" }, " ", ago(Date.now() - Date.parse(e.stats.lastErrorAt)))
                : "",
            ),
            h("td", { class: "num" }, e.stats.deadLetters),
          ),
        ),
      ),
    ),
    ...reports.filter((r) => r.dead.some((d) => d.replayedAt === null)).map((r) => deadLetters(r, refresh)),
  );
}

function deadLetters({ endpoint, dead }: EndpointReport, refresh: () => Promise<void>): HTMLElement {
  const pending = dead.filter((d) => d.replayedAt === null);
  const button = h(
    "button",
    { type: "button", "data-testid": `webhook-replay-${endpoint.id}` },
    "Replay all",
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await adminCall(`/v1/admin/webhooks/${endpoint.id}/dead-letters/replay`, { method: "POST" });
    } catch (err) {
      alert((err as Error).message);
    }
    await refresh();
  });
  return h(
    "div",
    { "data-testid": "webhook-dead-letters" },
    h("h3", {}, "Dead letters for ", h("code", {}, endpoint.url), " ", button),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Moment", "Reason", "Tries", "Last error", "Dead"].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      h(
        "tbody",
        {},
        ...pending
          .slice(0, 50)
          .map((d) =>
            h(
              "tr",
              {},
              h("td", {}, h("code", {}, d.momentId)),
              h("td", {}, d.reason),
              h("td", { class: "num" }, d.attempts ?? "–"),
              h("td", {}, d.lastError ?? ""),
              h("td", {}, ago(Date.now() - Date.parse(d.deadAt))),
            ),
          ),
      ),
    ),
    pending.length > 50 ? h("p", { class: "subtitle" }, `and ${pending.length - 50} more`) : "",
  );
}
