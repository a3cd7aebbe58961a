/**
 * `npm run screenshots`: refreshes the README's screenshots in docs/screenshots/ (match-desktop.png,
 * match-phone.png, ops.png). Starts its own local stack on a free port with fresh state, replays
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
import { join, resolve } from "node:path";
import type { ProviderEvent } from "../scoring/index.ts";
import { launchBrowser } from "../test/e2e/support/browser.ts";
import { freePort, LocalStack, ROOT, tempStateDir } from "./local-stack.ts";
import { DEFAULT_MATCH, fixtureEvents, replay } from "./replay.ts";

const MATCH_ID = `cricsheet-${DEFAULT_MATCH}`;
/** Another bundled match, cut short, with one event the ledger must park. */
const PARKED_FIXTURE = "1082648";
const PARKED_ID = `cricsheet-${PARKED_FIXTURE}`;

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

    const problems = [desktop, phone, ops].flatMap((p) => [...p.external, ...p.errors]);
    if (problems.length) throw new Error(`the pages reported problems:\n${problems.join("\n")}`);
    console.log(`wrote match-desktop.png, match-phone.png and ops.png to ${out}`);
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
