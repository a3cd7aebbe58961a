import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replay as replayEngine, scorecard } from "../../origin/scoring/index.ts";
import { freePort, LocalStack, ROOT, tempStateDir } from "../../scripts/local-stack.ts";
import { fixtureEvents, replay } from "../../scripts/replay.ts";
import { type HeadlessBrowser, launchBrowser, type WatchedPage } from "./support/browser.ts";

const MATCH_ID = "e2e-web";
const POISON_ID = "e2e-web-poison";
const SHOTS = join(ROOT, "docs", "screenshots");

/**
 * The pages in a real browser: headless Chromium against `wrangler dev`, fed a real match through
 * the signed webhook by the same replay module `npm start` uses. The page must show what the
 * engine computes, draw the charts, and be honest across a runtime crash: "reconnecting" while
 * the stack is down, the right score once it is back.
 */
describe("scoreboard pages in headless Chromium", () => {
  const events = fixtureEvents("1175359", MATCH_ID);
  const expected = scorecard(replayEngine(events));
  const half = Math.floor(events.length / 2);
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
    await expect.poll(() => attr(page, "connection", "data-status")).toBe("open");
    expect(await page.getByTestId("sync-note").isHidden()).toBe(true);

    // The final score of every innings, as the engine computes it from the fixture.
    for (const inn of expected.innings) {
      const row = page.getByTestId(`innings-score-${inn.number}`);
      expect(await row.getAttribute("data-runs")).toBe(String(inn.runs));
      expect(await row.getAttribute("data-wickets")).toBe(String(inn.wickets));
    }
    expect(await page.getByTestId("result").textContent()).toBe("Kings XI Punjab won by 14 runs");

    await page.screenshot({ path: join(SHOTS, "match-desktop.png") });

    // The batting card of the innings in play, then of the first innings by its tab.
    const last = expected.innings.at(-1);
    const first = expected.innings[0];
    if (!last || !first) throw new Error("the fixture has no innings");
    expect(await page.getByTestId("batting-row").count()).toBe(last.batters.length);
    expect(await page.getByTestId("card-total").textContent()).toBe(String(last.runs));
    await page.getByTestId("innings-tab-1").click();
    expect(await page.getByTestId("batting-row").count()).toBe(first.batters.length);
    expect(await page.getByTestId("batting-row").first().locator("th").textContent()).toBe(
      first.batters[0]?.name,
    );
    expect(await page.getByTestId("bowling-row").count()).toBe(first.bowlers.length);

    // Charts: one worm line per innings with a point per over plus the origin; a bar per over.
    for (const inn of expected.innings) {
      expect(await attr(page, `worm-line-${inn.number}`, "data-points")).toBe(String(inn.perOver.length + 1));
      expect(await page.getByTestId(`manhattan-innings-${inn.number}`).locator("rect").count()).toBe(
        inn.perOver.length,
      );
    }
    const wickets = expected.innings.reduce((n, i) => n + i.perOver.reduce((m, o) => m + o.wickets, 0), 0);
    expect(await page.getByTestId("manhattan-wicket").count()).toBe(wickets);
    expect(await page.getByTestId("wagon-wheel").textContent()).toMatch(/No shot data/);
    expect(await page.getByTestId("updated").textContent()).toMatch(/updated \d+ s ago/);

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
    await phone.page.screenshot({ path: join(SHOTS, "match-phone.png") });
    expect(phone.external).toEqual([]);
  });

  it("lists the match, and the operations page shows the ledger behind the admin token", async () => {
    const { page, external } = await browser.page({ width: 1280, height: 800 }, stack.base);
    await page.goto(`${stack.base}/`);
    const item = page.locator(`[data-match-id="${MATCH_ID}"]`);
    await item.waitFor();
    expect(await item.textContent()).toMatch(/Kings XI Punjab v Rajasthan Royals/);

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
    await discard.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "ops.png") });
    await discard.click();
    await expect.poll(() => parked.getByTestId("dead-letters").textContent()).toMatch(/discarded/);
    expect(external).toEqual([]);
  });
});

function attr(page: Page, testId: string, name: string): Promise<string | null> {
  return page.getByTestId(testId).getAttribute(name);
}

async function waitForSeq(page: Page, seq: number, timeout = 20_000): Promise<void> {
  await page.waitForSelector(`main[data-seq="${seq}"]`, { timeout });
}
