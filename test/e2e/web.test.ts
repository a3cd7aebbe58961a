import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProviderEvent, replay as replayEngine, scorecard } from "../../scoring/index.ts";
import { freePort, LocalStack, ROOT, tempStateDir } from "../../scripts/local-stack.ts";
import { fixtureEvents, replay } from "../../scripts/replay.ts";
import { type HeadlessBrowser, launchBrowser, type WatchedPage } from "./support/browser.ts";

const MATCH_ID = "e2e-web";
const POISON_ID = "e2e-web-poison";
const LIST_ID = "e2e-web-list";
/** Ignored by git (test-results/): the README's own screenshots are `npm run screenshots`' job. */
const SHOTS = join(ROOT, "test-results", "screenshots");
const README_SHOTS = join(ROOT, "docs", "screenshots");

/**
 * The pages in a real browser: headless Chromium against `wrangler dev`, fed a real match through
 * the signed webhook by the same replay module `npm start` uses. The page must show what the
 * engine computes, draw the charts, and be honest across a runtime crash: "reconnecting" while
 * the stack is down, the right score once it is back, and "Match over", not "Live", after the result.
 */
describe("scoreboard pages in headless Chromium", () => {
  const events = fixtureEvents("1175359", MATCH_ID);
  const expected = scorecard(replayEngine(events));
  const half = Math.floor(events.length / 2);
  const readmeShots = fingerprint(README_SHOTS);
  let stack: LocalStack;
  let browser: HeadlessBrowser;
  let desktop: WatchedPage;

  beforeAll(async () => {
    stack = new LocalStack(await freePort(), tempStateDir());
    [browser] = await Promise.all([launchBrowser(), stack.start()]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows the match live, says 'reconnecting' across a kill -9, and ends on the engine's final score", async () => {
    await replay({ base: stack.base, events: events.slice(0, half), speed: 0 });
    desktop = await browser.page({ width: 1280, height: 1000 }, stack.base);
    const page = desktop.page;
    await page.goto(`${stack.base}/match.html?id=${MATCH_ID}`);
    await waitForSeq(page, half);
    await expect.poll(() => attr(page, "connection", "data-status")).toBe("open");
    expect(await page.getByTestId("connection").textContent()).toBe("Live");
    expect(await pluralSlips(page)).toEqual([]);

    // A crash: every socket drops; the page must say so, not keep pretending to be live.
    await stack.kill9();
    await expect
      .poll(() => attr(page, "connection", "data-status"), { timeout: 15_000 })
      .toBe("reconnecting");
    await expect.poll(() => page.getByTestId("sync-note").isVisible()).toBe(true);
    expect(await page.getByTestId("sync-note").textContent()).toMatch(/Reconnecting/);

    await stack.start();
    const result = await replay({ base: stack.base, events, speed: 0 });
    expect(result.resumedFrom).toBe(half);
    await waitForSeq(page, events.length, 40_000);
    await expect.poll(() => attr(page, "connection", "data-connection")).toBe("open");
    expect(await page.getByTestId("sync-note").isHidden()).toBe(true);

    // The final score of every innings, as the engine computes it from the fixture.
    for (const inn of expected.innings) {
      const row = page.getByTestId(`innings-score-${inn.number}`);
      expect(await row.getAttribute("data-runs")).toBe(String(inn.runs));
      expect(await row.getAttribute("data-wickets")).toBe(String(inn.wickets));
    }
    expect(await page.getByTestId("result").textContent()).toBe("Kings XI Punjab won by 14 runs");

    // After the result the feed stays open (corrections can follow) but nothing says "Live".
    await expect.poll(() => attr(page, "connection", "data-status")).toBe("match-over");
    expect(await page.getByTestId("connection").textContent()).toBe("Match over");
    expect(await page.locator("header").textContent()).not.toMatch(/\bLive\b/);

    // Each innings' score appears once at the top of the page, not in a headline and a list both.
    const text = (await page.locator("main").textContent()) ?? "";
    for (const inn of expected.innings) {
      const score = inn.wickets === 10 ? `${inn.runs} (` : `${inn.runs}/${inn.wickets}`;
      expect(text.split(score).length - 1, `"${score}" on the page`).toBe(1);
    }

    await page.screenshot({ path: join(SHOTS, "match-desktop.png") });

    // The batting card of the innings in play, then of the first innings by its tab.
    const last = expected.innings.at(-1);
    const first = expected.innings[0];
    if (!last || !first) throw new Error("the fixture has no innings");
    expect(await page.getByTestId("batting-row").count()).toBe(last.batters.length);
    expect(await page.getByTestId("card-total").textContent()).toBe(String(last.runs));
    expect(await pluralSlips(page)).toEqual([]);
    await page.getByTestId("innings-tab-1").click();
    expect(await page.getByTestId("batting-row").count()).toBe(first.batters.length);
    expect(await page.getByTestId("batting-row").first().locator("th").textContent()).toBe(
      first.batters[0]?.name,
    );
    expect(await page.getByTestId("bowling-row").count()).toBe(first.bowlers.length);
    expect(await pluralSlips(page)).toEqual([]);

    // Charts: one worm line per innings with a point per over plus the origin; a bar per over.
    for (const inn of expected.innings) {
      expect(await attr(page, `worm-line-${inn.number}`, "data-points")).toBe(String(inn.perOver.length + 1));
      expect(await page.getByTestId(`manhattan-innings-${inn.number}`).locator("rect").count()).toBe(
        inn.perOver.length,
      );
    }
    const wickets = expected.innings.reduce((n, i) => n + i.perOver.reduce((m, o) => m + o.wickets, 0), 0);
    expect(await page.getByTestId("manhattan-wicket").count()).toBe(wickets);
    // The singular where the engine counts one: every 1-run over's bar says "1 run".
    const oneRunOvers = expected.innings.reduce(
      (n, i) => n + i.perOver.filter((o) => o.runs === 1).length,
      0,
    );
    expect(oneRunOvers).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="manhattan"] title', { hasText: ": 1 run," }).count()).toBe(
      oneRunOvers,
    );
    expect(await page.getByTestId("wagon-wheel").textContent()).toMatch(/No shot data/);
    expect(await page.getByTestId("updated").textContent()).toMatch(/updated \d+ s ago/);

    // Chart text is legible on a desktop and no two labels overlap (the old "overs0").
    const charts = await chartText(page);
    expect(charts.length).toBe(2);
    for (const chart of charts) {
      expect(chart.smallestPx, `${chart.id}: smallest text`).toBeGreaterThanOrEqual(12);
      expect(chart.overlaps, `${chart.id}: overlapping labels`).toEqual([]);
    }

    expect(desktop.external).toEqual([]);
    expect(desktop.errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
  });

  it("fits a phone-sized screen", async () => {
    const phone = await browser.page({ width: 390, height: 844 }, stack.base);
    await phone.page.goto(`${stack.base}/match.html?id=${MATCH_ID}`);
    await waitForSeq(phone.page, events.length);
    // Evaluated in the page: the test project has no DOM types.
    const overflow = await phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
    expect(Number(overflow)).toBeLessThanOrEqual(0);
    for (const chart of await chartText(phone.page)) {
      expect(chart.smallestPx, `${chart.id}: smallest text`).toBeGreaterThanOrEqual(10);
      expect(chart.overlaps, `${chart.id}: overlapping labels`).toEqual([]);
    }
    await phone.page.screenshot({ path: join(SHOTS, "match-phone.png") });
    expect(phone.external).toEqual([]);
  });

  it("lists each match with its score, result and viewers, and updates the list without a reload", async () => {
    // A match cut just after its first wicket: the list and the card must say "1 wicket".
    const listEvents = fixtureEvents("1175359", LIST_ID);
    const cut = firstPrefix(listEvents, (n) => n.innings[0]?.wickets === 1);
    await replay({ base: stack.base, events: listEvents.slice(0, cut), speed: 0 });
    const before = scorecard(replayEngine(listEvents.slice(0, cut))).innings[0];
    if (!before) throw new Error("no innings at the cut");

    const { page, external, errors } = await browser.page({ width: 1280, height: 800 }, stack.base);
    await page.goto(`${stack.base}/`);
    const item = page.locator(`[data-match-id="${LIST_ID}"]`);
    await item.waitFor();
    await expect
      .poll(() => item.getByTestId("match-score").textContent())
      .toBe(`${before.team} ${before.runs}/1 (${before.overs} ov)`);
    expect(await item.getByTestId("match-status").textContent()).toBe("Live");
    expect(await item.textContent()).not.toMatch(/\bseq\b/);
    expect(await item.getByTestId("match-meta").textContent()).toMatch(/\d+ watching/);

    // The finished match: both innings, the result, and "Match over" rather than "Live".
    const done = page.locator(`[data-match-id="${MATCH_ID}"]`);
    expect(await done.getByTestId("match-score").textContent()).toBe(
      "Kings XI Punjab 184/4 (20.0 ov)Rajasthan Royals 170/9 (20.0 ov)",
    );
    expect(await done.getByTestId("match-result").textContent()).toBe("Kings XI Punjab won by 14 runs");
    expect(await done.getByTestId("match-status").textContent()).toBe("Match over");
    expect(await page.locator("main").textContent()).not.toMatch(/\bseq\b/);

    // New events reach the list (by the ticker; by polling while it is away): same document, new score.
    await page.evaluate("window.__sameDocument = true");
    const focused = item.getByRole("link");
    await focused.focus();
    const later = Math.min(listEvents.length, cut + 8);
    await replay({ base: stack.base, events: listEvents.slice(0, later), speed: 0 });
    const after = scorecard(replayEngine(listEvents.slice(0, later))).innings[0];
    if (!after) throw new Error("no innings after the cut");
    expect(after.overs).not.toBe(before.overs);
    await expect
      .poll(() => item.getByTestId("match-score").textContent(), { timeout: 10_000 })
      .toBe(`${after.team} ${after.runs}/${after.wickets} (${after.overs} ov)`);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    // The update kept the reader's place: focus is still on the match's link.
    expect(await page.evaluate("document.activeElement?.closest('li')?.dataset.matchId")).toBe(LIST_ID);
    await page.screenshot({ path: join(SHOTS, "list.png") });

    // The match page of the cut match: "1 wicket" in the card, never "1 wkts".
    await page.goto(`${stack.base}/match.html?id=${LIST_ID}`);
    await waitForSeq(page, later);
    const total = await page.getByTestId("batting-card").locator("tr.total td.how").textContent();
    expect(total).toBe(`${after.wickets === 1 ? "1 wicket" : `${after.wickets} wickets`}, ${after.overs} ov`);
    expect(await pluralSlips(page)).toEqual([]);
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("follows the ticker on the list page: each score changes live, no reload and no polling; polls when the ticker is refused", async () => {
    const id = "e2e-web-ticker";
    const tickerEvents = fixtureEvents("1175359", id);
    await replay({ base: stack.base, events: tickerEvents.slice(0, 10), speed: 0 });
    const { page, errors } = await browser.page({ width: 1280, height: 800 }, stack.base);
    const listReads: string[] = [];
    page.on("request", (req) => {
      if (new URL(req.url()).pathname === "/v1/matches") listReads.push(req.url());
    });
    await page.goto(`${stack.base}/`);
    await expect.poll(() => page.getByTestId("updated").getAttribute("data-source")).toBe("ticker");
    await page.evaluate("window.__sameDocument = true");
    const item = page.locator(`[data-match-id="${id}"]`);
    await item.waitFor();
    const reads = listReads.length;
    for (const upTo of [20, 30]) {
      await replay({ base: stack.base, events: tickerEvents.slice(0, upTo), speed: 0 });
      const inn = scorecard(replayEngine(tickerEvents.slice(0, upTo))).innings[0];
      if (!inn) throw new Error("no innings");
      // The ticker's interval (1 s) plus the fan-out: well inside the old 3 s poll.
      await expect
        .poll(() => item.getByTestId("match-score").textContent(), { timeout: 2500 })
        .toBe(`${inn.team} ${inn.runs}/${inn.wickets} (${inn.overs} ov)`);
    }
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(listReads.length, "the list was polled while the ticker was open").toBe(reads);
    expect(errors).toEqual([]);

    // A server that refuses the ticker for good (1008): the page polls the list instead.
    const fallback = await browser.page({ width: 1280, height: 800 }, stack.base);
    await fallback.page.routeWebSocket(/\/v1\/ticker\/ws/, (ws) =>
      ws.close({ code: 1008, reason: "no ticker" }),
    );
    await fallback.page.goto(`${stack.base}/`);
    const polled = fallback.page.locator(`[data-match-id="${id}"]`);
    await polled.waitFor();
    await replay({ base: stack.base, events: tickerEvents.slice(0, 40), speed: 0 });
    const later = scorecard(replayEngine(tickerEvents.slice(0, 40))).innings[0];
    if (!later) throw new Error("no innings");
    await expect
      .poll(() => polled.getByTestId("match-score").textContent(), { timeout: 10_000 })
      .toBe(`${later.team} ${later.runs}/${later.wickets} (${later.overs} ov)`);
    expect(await fallback.page.getByTestId("updated").getAttribute("data-source")).toBe("poll");
  });

  it("falls back to the status alone when the server sends no scores (an older server)", async () => {
    const { page } = await browser.page({ width: 1280, height: 800 }, stack.base);
    await page.route("**/v1/matches", (route) =>
      route.fulfill({
        contentType: "application/json",
        body: JSON.stringify({
          matches: [
            { matchId: "old-server", seq: 258, status: "live", teams: ["A", "B"], title: null, viewers: 1 },
          ],
        }),
      }),
    );
    await page.goto(`${stack.base}/`);
    const item = page.locator('[data-match-id="old-server"]');
    await item.waitFor();
    expect(await item.getByTestId("match-status").textContent()).toBe("Live");
    expect(await item.getByTestId("match-score").count()).toBe(0);
    expect(await item.textContent()).not.toMatch(/seq|258/);
  });

  it("shows the ledger behind the admin token, with a titled lag chart that draws a line after a fast replay", async () => {
    const { page, external, errors } = await browser.page({ width: 1280, height: 800 }, stack.base);
    const served = await fetch(`${stack.base}/ops.html`);
    // The page holding the admin token may be framed by nobody (web/public/_headers).
    expect(served.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    await served.body?.cancel();
    await page.goto(`${stack.base}/ops.html`);
    await page.getByLabel("Admin token").fill("dev-admin-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    const section = page.locator(`[data-testid="ops-match"][data-match-id="${MATCH_ID}"]`);
    await section.waitFor();
    expect(await section.getByTestId("seq-applied").textContent()).toBe(String(events.length));
    expect(await section.getByTestId("seq-received").textContent()).toBe(String(events.length));
    expect(await section.getByTestId("lag-status").textContent()).toMatch(/OK|WARNING|STALLED|STOPPED/);
    expect(await section.getByTestId("lag-line").count()).toBe(1);
    await page.getByText("Redis: not configured (embedded mode); breaker: closed").waitFor();
    // A poison event (a delivery for an innings that never started) is parked; the page discards it.
    const poison = fixtureEvents("1175359", POISON_ID).slice(0, 12);
    const tenth = poison[9];
    if (tenth?.type !== "delivery") throw new Error("expected a delivery at seq 10");
    poison[9] = { ...tenth, payload: { ...tenth.payload, innings: 3 } };
    await replay({ base: stack.base, events: poison, speed: 0 });
    const parked = page.locator(`[data-testid="ops-match"][data-match-id="${POISON_ID}"]`);
    const discard = parked.getByTestId("dead-discard-10");
    await discard.waitFor();

    // Twelve events in one request: the ledger's lag window holds a single sample, and the
    // chart still draws a line (held until now) under a visible title that names the chart.
    for (const [id, s] of [
      [MATCH_ID, section],
      [POISON_ID, parked],
    ] as const) {
      const title = s.getByTestId("lag-title");
      expect(await title.textContent()).toMatch(/^Lag: events received but not yet applied/);
      const titleId = await title.getAttribute("id");
      expect(await s.getByTestId("lag-line").getAttribute("aria-labelledby")).toBe(titleId);
      const length = await page.evaluate(
        `document.querySelector('[data-match-id="${id}"] [data-testid="lag-path"]').getTotalLength()`,
      );
      expect(Number(length)).toBeGreaterThan(10);
    }
    expect(Number(await parked.getByTestId("lag-line").getAttribute("data-points"))).toBeGreaterThanOrEqual(
      1,
    );
    for (const chart of await chartText(page)) expect(chart.overlaps, chart.id).toEqual([]);

    await discard.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "ops.png") });
    await discard.click();
    await expect.poll(() => parked.getByTestId("dead-letters").textContent()).toMatch(/discarded/);
    expect(external).toEqual([]);
    // Everything above ran under the page's Content-Security-Policy: nothing was refused.
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });

  it("waits on a match that has not started (4004) and follows it from its first ball", async () => {
    const laterId = "web-not-yet";
    const laterEvents = fixtureEvents("1175359", laterId);
    const { page } = await browser.page({ width: 1280, height: 800 }, stack.base);
    await page.goto(`${stack.base}/match.html?id=${laterId}`);
    await expect.poll(() => page.getByTestId("sync-note").textContent()).toMatch(/has not started yet/);
    await replay({ base: stack.base, events: laterEvents.slice(0, 12), speed: 0 });
    // The page asks every 5 s and starts over once the match exists.
    await waitForSeq(page, 12, 20_000);
    expect(await attr(page, "connection", "data-status")).toBe("open");
    await page.close();
  });

  it("keeps its screenshots out of docs/, so a test run leaves git status clean", () => {
    expect(relative(ROOT, SHOTS).split("/")[0]).toBe("test-results");
    expect(existsSync(join(SHOTS, "match-desktop.png"))).toBe(true);
    // The README's screenshots are byte for byte what they were before the run.
    expect(fingerprint(README_SHOTS)).toEqual(readmeShots);
  });
});

function attr(page: Page, testId: string, name: string): Promise<string | null> {
  return page.getByTestId(testId).getAttribute(name);
}

async function waitForSeq(page: Page, seq: number, timeout = 20_000): Promise<void> {
  await page.waitForSelector(`main[data-seq="${seq}"]`, { timeout });
}

/** The smallest prefix of `events` whose scorecard passes `test`. */
function firstPrefix(events: ProviderEvent[], test: (card: ReturnType<typeof scorecard>) => boolean): number {
  for (let n = 1; n <= events.length; n++) if (test(scorecard(replayEngine(events.slice(0, n))))) return n;
  throw new Error("no prefix of the match passes the test");
}

/** Each file's SHA-256 under `dir`, by name. */
function fingerprint(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      createHash("sha256")
        .update(readFileSync(join(dir, f)))
        .digest("hex"),
    ]),
  );
}

/**
 * "1 runs", "1 wkts" and their kind: a count of one with a plural noun, anywhere in the page's
 * text or in the charts' tooltips and descriptions (which innerText leaves out).
 */
async function pluralSlips(page: Page): Promise<string[]> {
  const text = String(
    await page.evaluate(
      "document.body.innerText + '\\n' + [...document.querySelectorAll('svg title, svg desc, [aria-label]')].map((e) => e.textContent + ' ' + (e.getAttribute('aria-label') ?? '')).join('\\n')",
    ),
  );
  return [...text.matchAll(/(?<![\d.])1 (runs|wkts|wickets|balls|overs|events|scoring shots)\b/g)].map(
    (m) => m[0],
  );
}

/**
 * Per chart on the page: the smallest rendered size of its text in CSS pixels, and every pair of
 * its axis labels whose boxes overlap. Evaluated in the page (the test project has no DOM types).
 */
async function chartText(page: Page): Promise<{ id: string; smallestPx: number; overlaps: string[] }[]> {
  return (await page.evaluate(`[...document.querySelectorAll("svg.chart:not(.wagon)")].map((svg) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll("text")];
    const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    const boxes = [...svg.querySelectorAll(".axes text")].map((t) => [t.textContent, t.getBoundingClientRect()]);
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i];
        const [b, q] = boxes[j];
        if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5)
          overlaps.push(a + " / " + b);
      }
    return { id: svg.dataset.testid, smallestPx: Math.min(...sizes), overlaps };
  })`)) as { id: string; smallestPx: number; overlaps: string[] }[];
}
