/**
 * `npm run screenshots`: refreshes the README's screenshots in docs/screenshots/ (match-desktop.png,
 * match-phone.png, ops.png, and embed-host.png: a page on another origin embedding the widget). Starts its own local stack on a free port with fresh state, replays
 * the default bundled match and a short match with one parked event (so the operations page has
 * a dead letter to show), and photographs the pages in headless Chromium.
 *
 * The tests never write here: they keep their screenshots under test-results/, so `npm test`
 * leaves `git status` clean. Run this by hand when the pages change, and commit the PNGs.
 *
 *   npm run screenshots               writes docs/screenshots/*.png
 *   npm run screenshots -- --out DIR  writes them somewhere else, to compare first
 */
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { ProviderEvent } from "../scoring/index.ts";
import { launchBrowser } from "../test/e2e/support/browser.ts";
import { freePort, LocalStack, ROOT, tempStateDir } from "./local-stack.ts";
import { DEFAULT_MATCH, fixtureEvents, replay } from "./replay.ts";

const MATCH_ID = `cricsheet-${DEFAULT_MATCH}`;
/** Another bundled match, cut short, with one event the ledger must park. */
const PARKED_FIXTURE = "1082648";
const PARKED_ID = `cricsheet-${PARKED_FIXTURE}`;

/** The same match again, cut in the middle of the chase: live, for the embedded widget's picture. */
const EMBED_ID = `cricsheet-${DEFAULT_MATCH}-live`;

/**
 * A news article on another origin (its own server, its own port) embedding both elements: a live
 * match in the full layout, the finished one compact and dark, and the ticker.
 */
async function embedHost(base: string): Promise<{ url: string; close: () => void }> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A cricket blog</title>
<style>body{font:17px/1.6 Georgia,serif;max-width:46rem;margin:2rem auto;color:#222}
h1{font-size:1.8rem;margin:0 0 .5rem}crease-score,crease-ticker{margin:1rem 0}
crease-ticker{--crease-accent:#8a2be2}</style></head><body>
<crease-ticker></crease-ticker>
<h1>Punjab defend 184 in Jaipur</h1>
<p>The chase is on. The widget below is live: it updates ball by ball without a reload.</p>
<crease-score match="${EMBED_ID}" layout="full"></crease-score>
<p>Earlier, the same fixture, finished (compact layout, dark theme):</p>
<crease-score match="${MATCH_ID}" theme="dark"></crease-score>
<script src="${base}/embed/crease-embed.js" async></script>
</body></html>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

function outDir(argv: string[]): string {
  const at = argv.indexOf("--out");
  const value = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith("--out="))?.slice("--out=".length);
  return value ? resolve(value) : join(ROOT, "docs", "screenshots");
}

/** The first dozen events, the tenth a delivery for an innings that never started. */
function withParkedEvent(events: ProviderEvent[]): ProviderEvent[] {
  const short = events.slice(0, 12);
  const tenth = short[9];
  if (tenth?.type !== "delivery") throw new Error(`${PARKED_FIXTURE}: expected a delivery at seq 10`);
  short[9] = { ...tenth, payload: { ...tenth.payload, innings: 3 } };
  return short;
}

async function main(): Promise<void> {
  const out = outDir(process.argv.slice(2));
  const stateDir = tempStateDir();
  const stack = new LocalStack(await freePort(), stateDir);
  const [browser] = await Promise.all([launchBrowser(), stack.start()]);
  try {
    const events = fixtureEvents(DEFAULT_MATCH, MATCH_ID);
    await replay({ base: stack.base, events, speed: 0 });
    await replay({
      base: stack.base,
      events: withParkedEvent(fixtureEvents(PARKED_FIXTURE, PARKED_ID)),
      speed: 0,
    });
    const live = fixtureEvents(DEFAULT_MATCH, EMBED_ID);
    const chase = live.findLastIndex((e) => e.type === "innings.start");
    await replay({ base: stack.base, events: live.slice(0, chase + 70), speed: 0 });
    const last = `main[data-seq="${events.length}"]`;

    const desktop = await browser.page({ width: 1280, height: 1000 }, stack.base);
    await desktop.page.goto(`${stack.base}/match.html?id=${MATCH_ID}`);
    await desktop.page.waitForSelector(last);
    await desktop.page.waitForSelector('[data-testid="connection"][data-status="match-over"]');
    await desktop.page.screenshot({ path: join(out, "match-desktop.png") });

    const phone = await browser.page({ width: 390, height: 844 }, stack.base);
    await phone.page.goto(`${stack.base}/match.html?id=${MATCH_ID}`);
    await phone.page.waitForSelector(last);
    await phone.page.screenshot({ path: join(out, "match-phone.png") });

    const ops = await browser.page({ width: 1280, height: 1000 }, stack.base);
    await ops.page.goto(`${stack.base}/ops.html`);
    await ops.page.getByLabel("Admin token").fill("dev-admin-token");
    await ops.page.getByRole("button", { name: "Sign in" }).click();
    await ops.page.getByTestId("dead-discard-10").waitFor();
    await ops.page.screenshot({ path: join(out, "ops.png"), fullPage: true });

    const host = await embedHost(stack.base);
    const embed = await browser.page({ width: 900, height: 640 }, stack.base);
    try {
      await embed.page.goto(host.url);
      await embed.page
        .locator("crease-score")
        .first()
        .getByText(/need \d+ runs/)
        .waitFor();
      await embed.page.locator("crease-ticker li").first().waitFor();
      await embed.page.screenshot({ path: join(out, "embed-host.png") });
    } finally {
      host.close();
    }
    // The host page is on another origin: its requests to the stack are the point, not leaks.
    embed.external.length = 0;

    const problems = [desktop, phone, ops, embed].flatMap((p) => [...p.external, ...p.errors]);
    if (problems.length) throw new Error(`the pages reported problems:\n${problems.join("\n")}`);
    console.log(`wrote match-desktop.png, match-phone.png, ops.png and embed-host.png to ${out}`);
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
