import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replay as replayEngine, scorecard } from "../../scoring/index.ts";
import { freePort, LocalStack, ROOT, tempStateDir } from "../../scripts/local-stack.ts";
import { fixtureEvents, replay } from "../../scripts/replay.ts";
import { type HeadlessBrowser, launchBrowser } from "./support/browser.ts";

const MATCH_ID = "e2e-embed";
/** A match embedded before its first event. */
const LATER_ID = "e2e-embed-later";
const SHOTS = join(ROOT, "test-results", "screenshots");

/**
 * The embeddable widget in headless Chromium, on a host page served by another server on another
 * origin, as a news site would embed it. `.dev.vars.example` allows `http://127.0.0.1:*` (any
 * port): a host on 127.0.0.1 is a different origin that is allowed; a host on 127.0.0.2 (still
 * loopback) is not, and must get the refusal in words inside the element. The host page's own
 * styles and scripts must come through untouched, and nothing may throw into it.
 */
describe("the embeddable widget on another origin", () => {
  const events = fixtureEvents("1175359", MATCH_ID);
  let stack: LocalStack;
  let browser: HeadlessBrowser;
  const hosts: Server[] = [];

  beforeAll(async () => {
    stack = new LocalStack(await freePort(), tempStateDir());
    [browser] = await Promise.all([launchBrowser(), stack.start()]);
  });

  afterAll(async () => {
    for (const host of hosts) host.close();
    await browser?.close();
    await stack?.stop();
  });

  /** A host page on `address`, with its own styles and scripts around the widget. */
  async function hostPage(address: string): Promise<string> {
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<style>div { color: rgb(255, 0, 0); } p { margin: 40px; } .score { display: none; } a { color: rgb(0, 128, 0); }</style>
<script>window.hostValue = 41;</script></head><body>
<div id="host-div">The host's own text</div>
<p class="score" id="host-score">The host's own .score</p>
<a id="host-link" href="#">a host link</a>
<crease-score id="full" match="${MATCH_ID}" layout="full"></crease-score>
<crease-score id="compact" match="${MATCH_ID}" theme="dark"></crease-score>
<crease-score id="missing" match="${LATER_ID}"></crease-score>
<crease-ticker id="ticker" layout="full"></crease-ticker>
<script src="${stack.base}/embed/crease-embed.js"></script>
<script>window.hostValue += 1; document.getElementById("host-div").dataset.after = String(window.hostValue);</script>
</body></html>`;
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    });
    hosts.push(server);
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    return `http://${address}:${(server.address() as AddressInfo).port}/`;
  }

  /** The text of a part of a widget's shadow root (playwright's CSS pierces open shadow roots). */
  const shadowText = (page: Page, host: string, testId: string) =>
    page.locator(`#${host}`).getByTestId(testId).first().textContent();

  it("shows the score live and the ticker on an allowed origin, and leaves the host page alone", async () => {
    const half = 60;
    await replay({ base: stack.base, events: events.slice(0, half), speed: 0 });
    const before = scorecard(replayEngine(events.slice(0, half))).innings[0];
    if (!before) throw new Error("no innings at the cut");

    const url = await hostPage("127.0.0.1");
    expect(new URL(url).origin).not.toBe(stack.base);
    const { page, errors } = await browser.page({ width: 900, height: 700 }, stack.base);
    const uncaught: string[] = [];
    page.on("pageerror", (err) => uncaught.push(err.message));
    await page.goto(url);

    const line = (i: { team: string; runs: number; wickets: number; overs: string }) =>
      `${i.team} ${i.runs}/${i.wickets} (${i.overs})`;
    // A cold stack's first room can take a while; the update after it is timed tightly below.
    await expect.poll(() => shadowText(page, "full", "score"), { timeout: 30_000 }).toBe(line(before));
    await expect.poll(() => shadowText(page, "compact", "score")).toBe(line(before));
    await expect.poll(() => page.locator("#full").getAttribute("data-state")).toBe("live");
    await expect.poll(() => shadowText(page, "full", "freshness")).toMatch(/^Live · updated \d+ s ago$/);
    // The score line is the live region; the ticking freshness line is not.
    expect(await page.locator("#full").getByTestId("score").getAttribute("aria-live")).toBe("polite");

    // The ticker lists the match with the same score.
    const item = page.locator("#ticker").locator(`li[data-match-id="${MATCH_ID}"]`);
    await expect.poll(() => item.textContent(), { timeout: 15_000 }).toContain(line(before));

    // An unknown match is said in words (the feed closes with 4004), and looked for again later.
    await expect
      .poll(() => shadowText(page, "missing", "notice"), { timeout: 15_000 })
      .toMatch(/^Match not found \(it may not have started yet\)/);
    // Its first events arrive: the element finds it without a reload.
    await replay({ base: stack.base, events: fixtureEvents("1175359", LATER_ID).slice(0, 8), speed: 0 });
    await expect
      .poll(() => shadowText(page, "missing", "score"), { timeout: 30_000 })
      .toMatch(/^Kings XI Punjab \d+\/\d \(\d\.\d\)$/);
    expect(await shadowText(page, "missing", "notice")).toBe("");

    // New events arrive live, in the same document.
    await page.evaluate("window.__sameDocument = true");
    const later = 90;
    await replay({ base: stack.base, events: events.slice(0, later), speed: 0 });
    const after = scorecard(replayEngine(events.slice(0, later))).innings[0];
    if (!after) throw new Error("no innings after the cut");
    expect(after.overs).not.toBe(before.overs);
    await expect.poll(() => shadowText(page, "full", "score"), { timeout: 10_000 }).toBe(line(after));
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain(line(after));
    expect(await page.evaluate("window.__sameDocument")).toBe(true);

    // The host's styles do not reach in, and the widget's do not leak out.
    // Strings, as the other browser tests write them: the Node tier's types have no DOM.
    const styles = (await page.evaluate(`(() => {
      const root = document.querySelector("#full").shadowRoot;
      const style = (el) => getComputedStyle(el);
      const hostDiv = document.querySelector("#host-div");
      const hostP = document.querySelector("#host-score");
      return {
        innerColor: style(root.querySelector("div")).color,
        innerScoreDisplay: style(root.querySelector(".score")).display,
        hostDivColor: style(hostDiv).color,
        hostPMargin: style(hostP).marginTop,
        hostPDisplay: style(hostP).display,
        hostLinkColor: style(document.querySelector("#host-link")).color,
        hostAfter: hostDiv.dataset.after,
        hostValue: window.hostValue,
      };
    })()`)) as Record<string, unknown>;
    expect(styles.innerColor).not.toBe("rgb(255, 0, 0)");
    expect(styles.innerScoreDisplay).not.toBe("none");
    expect(styles).toMatchObject({
      hostDivColor: "rgb(255, 0, 0)",
      hostPMargin: "40px",
      hostPDisplay: "none",
      hostLinkColor: "rgb(0, 128, 0)",
      hostAfter: "42",
      hostValue: 42,
    });

    // Keyboard: Tab from the host's link reaches the widget's scorecard link.
    await page.locator("#host-link").focus();
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(`(() => {
      const active = document.activeElement;
      return { host: active?.id, inner: active?.shadowRoot?.activeElement?.textContent };
    })()`);
    expect(focused).toEqual({ host: "full", inner: "Scorecard" });

    await page.screenshot({ path: join(SHOTS, "embed-host.png") });
    expect(uncaught).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("says 'reconnecting' (never 'Live') while the stack is down after a kill -9, and comes back live", async () => {
    const url = await hostPage("127.0.0.1");
    const { page, errors } = await browser.page({ width: 900, height: 700 }, stack.base);
    const uncaught: string[] = [];
    page.on("pageerror", (err) => uncaught.push(err.message));
    await page.goto(url);
    await expect
      .poll(() => page.locator("#full").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("live");

    await stack.kill9();
    // Reconnecting, then (after a few failed handshakes, the server not answering HTTP either)
    // "cannot reach": never "Live", and never the refusal meant for a disallowed origin.
    await expect
      .poll(() => page.locator("#full").getAttribute("data-state"), { timeout: 15_000 })
      .toMatch(/^(reconnecting|error)$/);
    const down = `${await shadowText(page, "full", "freshness")} ${await shadowText(page, "full", "notice")}`;
    expect(down).toMatch(/Reconnecting…|Cannot reach the live score feed/);
    expect(down).not.toMatch(/not allowed/);

    await stack.start();
    await replay({ base: stack.base, events: events.slice(0, 100), speed: 0 });
    const now = scorecard(replayEngine(events.slice(0, 100))).innings[0];
    if (!now) throw new Error("no innings");
    // The client's backoff may wait up to 30 s between attempts after a long outage.
    await expect
      .poll(() => shadowText(page, "full", "score"), { timeout: 45_000 })
      .toBe(`${now.team} ${now.runs}/${now.wickets} (${now.overs})`);
    await expect.poll(() => page.locator("#full").getAttribute("data-state")).toBe("live");
    await expect
      .poll(() => page.locator("#ticker").getAttribute("data-state"), { timeout: 45_000 })
      .toBe("live");
    expect(await shadowText(page, "full", "notice")).toBe("");
    expect(uncaught).toEqual([]);
    // The browser logs each handshake that failed while the stack was down; nothing else may appear.
    expect(errors.filter((e) => !/WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(e))).toEqual(
      [],
    );
  });

  it("says inside the element that a site outside ALLOWED_ORIGINS is not allowed, and throws nothing", async () => {
    // 127.0.0.2 is loopback too, but not in .dev.vars.example's ALLOWED_ORIGINS.
    const url = await hostPage("127.0.0.2");
    const { page, errors } = await browser.page({ width: 900, height: 700 }, stack.base);
    const uncaught: string[] = [];
    page.on("pageerror", (err) => uncaught.push(err.message));
    await page.goto(url);
    const refused = /not allowed to show live scores.*ALLOWED_ORIGINS/;
    await expect.poll(() => shadowText(page, "full", "notice"), { timeout: 20_000 }).toMatch(refused);
    await expect.poll(() => shadowText(page, "ticker", "notice"), { timeout: 20_000 }).toMatch(refused);
    expect(await page.locator("#full").getAttribute("data-state")).toBe("error");
    expect(await page.locator("#full").getByTestId("score").textContent()).toBe("");
    expect(await page.evaluate("document.getElementById('host-div').dataset.after")).toBe("42");
    await page.screenshot({ path: join(SHOTS, "embed-refused.png") });
    expect(uncaught).toEqual([]);
    // The browser itself logs each refused handshake; nothing else may appear.
    expect(errors.filter((e) => !/WebSocket connection to .* failed/.test(e))).toEqual([]);
  });

  it("serves the widget at an immutable versioned URL and a stable alias, and /embed shows the snippets with a live preview", async () => {
    const manifest = (await (await fetch(`${stack.base}/embed/manifest.json`)).json()) as { script: string };
    expect(manifest.script).toMatch(/^\/embed\/v1\/crease-embed\.[0-9a-f]{12}\.js$/);
    const versioned = await fetch(`${stack.base}${manifest.script}`);
    const alias = await fetch(`${stack.base}/embed/crease-embed.js`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(alias.headers.get("cache-control")).toBe("public, max-age=300");
    expect(versioned.headers.get("content-type")).toMatch(/javascript/);
    expect(await versioned.text()).toBe(await alias.text());
    // The snippet page has a policy (web/public/_headers); the script any listed site loads has none.
    const snippets = await fetch(`${stack.base}/embed`);
    expect(snippets.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    await snippets.body?.cancel();
    expect(versioned.headers.get("content-security-policy")).toBeNull();
    expect(alias.headers.get("content-security-policy")).toBeNull();

    const { page, errors } = await browser.page({ width: 1000, height: 900 }, stack.base);
    await page.goto(`${stack.base}/embed?match=${MATCH_ID}`);
    await expect
      .poll(() => page.getByTestId("score-snippet").textContent())
      .toBe(
        `<script src="${stack.base}${manifest.script}" async></script>\n` +
          `<crease-score match="${MATCH_ID}" layout="full"></crease-score>`,
      );
    expect(await page.getByTestId("ticker-snippet").textContent()).toContain(
      "<crease-ticker></crease-ticker>",
    );
    await expect
      .poll(() => page.getByTestId("score-preview").getByTestId("score").textContent(), { timeout: 15_000 })
      .toMatch(/^Kings XI Punjab \d+\/\d+ \(\d+\.\d\)$/);
    await expect
      .poll(() => page.getByTestId("ticker-preview").locator(`li[data-match-id="${MATCH_ID}"]`).count())
      .toBe(1);
    // Under that policy: a refused script, style or socket is a console error here.
    expect(errors).toEqual([]);
  });
});
