/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by
 * playwright-core (no browser download), with a fresh profile and no background traffic, so
 * any request that leaves the stack is the page's own doing.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessBrowser {
  browser: Browser;
  /** A page in a new context of the given viewport; records every URL that is not on `allowedOrigin`. */
  page(viewport: { width: number; height: number }, allowedOrigin: string): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Requests that left the stack (fonts, CDNs, analytics): should stay empty. */
  external: string[];
  /** Uncaught exceptions and console errors on the page. */
  errors: string[];
}

export async function launchBrowser(): Promise<HeadlessBrowser> {
  // playwright gives every launch a new, empty --user-data-dir of its own (and refuses ours).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    async page(viewport, allowedOrigin) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const watched: WatchedPage = { page, context, external: [], errors: [] };
      page.on("request", (req) => {
        const url = req.url();
        if (!url.startsWith(allowedOrigin) && !url.startsWith("ws://127.0.0.1") && !url.startsWith("data:"))
          watched.external.push(url);
      });
      page.on("pageerror", (err) => watched.errors.push(err.message));
      page.on("response", (res) => {
        if (res.status() >= 400) watched.errors.push(`${res.status()} ${res.url()}`);
      });
      page.on("console", (msg) => {
        // Failed loads are reported by URL above; the console only says "Failed to load resource".
        if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
          watched.errors.push(msg.text());
      });
      return watched;
    },
    async close() {
      await browser.close();
    },
  };
}
