import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import type { MomentBase } from "../../protocol/moments.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { DEV_ADMIN, freePort, LocalStack, tempStateDir } from "../../scripts/local-stack.ts";
import { type ReceivedDelivery, WebhookReceiver } from "../support/webhook-receiver.ts";
import { launchBrowser } from "./support/browser.ts";

const MATCH = "e2e-webhooks";
/**
 * Retries in seconds, not a day: the same code, a small base (docs/webhooks.md). The window is
 * wider than the workerd tier's: wrangler dev's local queue runs one delivery batch at a time,
 * so while a receiver hangs, every retry waits behind its 1 s timeouts. Measured: the flaky
 * receiver's last failing attempt of phase B starts some 18 s into it, and the dead receiver
 * keeps the queue that full for the whole window, so 35 s leaves it nearly twice that.
 */
const VARS = {
  WEBHOOK_RETRY_BASE_S: "1",
  WEBHOOK_RETRY_MAX_DELAY_S: "2",
  WEBHOOK_RETRY_WINDOW_S: "35",
  WEBHOOK_TIMEOUT_MS: "1000",
};

/** An independent check of the signature, as a partner would write it (node:crypto, not Crease's code). */
function signedBy(delivery: ReceivedDelivery, secret: string): boolean {
  const parts = delivery.signature.split(",").map((p) => p.split("="));
  const t = parts.find(([k]) => k === "t")?.[1];
  if (!t || Math.abs(delivery.at / 1000 - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${delivery.body}`).digest();
  return parts.some(
    ([k, v]) => k === "v1" && v !== undefined && timingSafeEqual(expected, Buffer.from(v, "hex")),
  );
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The whole path under `wrangler dev` and its local queues: signed ingest → ledger → moments →
 * fan-out → signed POSTs to a real receiver on 127.0.0.1 that fails, hangs and recovers. Ingest
 * latency is measured A/B/A: receivers answering, receivers failing and hanging, answering again.
 * The dead letters are replayed from the ops page, in headless Chromium.
 */
describe("partner webhooks end to end", () => {
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "../../fixtures/cricsheet/1175359.json"), "utf8"),
  );
  const events: ProviderEvent[] = cricsheetToEvents(file, { matchId: MATCH });
  const receiver = new WebhookReceiver();
  let stack: LocalStack;

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  it("every moment reaches a flaky receiver and a dead one (via the dead-letter queue and replay), signed, and ingest does not slow down", async () => {
    const base = await receiver.start();
    stack = new LocalStack(await freePort(), tempStateDir(), { vars: VARS });
    await stack.start();
    const adminFetch = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${stack.base}/v1/admin/webhooks${path}`, {
        ...init,
        headers: { ...DEV_ADMIN, "content-type": "application/json" },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const register = async (name: string) => {
      const res = await adminFetch("", {
        method: "POST",
        body: JSON.stringify({ url: `${base}/r/${name}`, matches: [MATCH] }),
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; secret: string };
    };
    const flaky = await register("flaky");
    const dead = await register("dead");

    const moments = async (): Promise<MomentBase[]> =>
      (await stack.get<{ moments: MomentBase[] }>(`/v1/matches/${MATCH}/moments?after=0&limit=500`)).moments;
    const deliveredTo = (name: string) =>
      new Set(
        receiver
          .log(name)
          .filter((d) => d.answer === 200)
          .map((d) => d.deliveryId),
      );
    const allDelivered = async (name: string, upToSeq: number) => {
      const want = (await moments()).filter((m) => m.seq <= upToSeq);
      const got = deliveredTo(name);
      return want.length > 0 && want.every((m) => got.has(m.id)) ? want.length : null;
    };
    const ingestTimes = async (slice: ProviderEvent[]): Promise<number[]> => {
      const times: number[] = [];
      for (const event of slice) {
        const started = performance.now();
        const res = await stack.ingest([event]);
        times.push(performance.now() - started);
        expect(res.status).toBe(200);
      }
      return times;
    };

    const third = Math.floor(events.length / 3);
    const [a, b, a2] = [events.slice(0, third), events.slice(third, 2 * third), events.slice(2 * third)];
    const lastSeq = (slice: ProviderEvent[]) => slice.at(-1)?.seq ?? 0;

    // A: both receivers answer.
    const upFirst = await ingestTimes(a);
    await until(
      "phase A delivered to both",
      async () => (await allDelivered("flaky", lastSeq(a))) && (await allDelivered("dead", lastSeq(a))),
    );

    // B: one fails each moment's first attempts (500s, 503s, hangs), the other never answers.
    receiver.setMode("flaky", "flaky");
    receiver.setMode("dead", "never");
    const down = await ingestTimes(b);
    const bMoments = (await moments()).filter((m) => m.seq > lastSeq(a) && m.seq <= lastSeq(b));
    expect(bMoments.length).toBeGreaterThan(5);
    await until("every phase B moment delivered to the flaky receiver", () =>
      allDelivered("flaky", lastSeq(b)),
    );
    const deadLetters = await until("every phase B moment in the dead receiver's dead letters", async () => {
      const { body } = await adminFetch(`/${dead.id}/dead-letters`);
      const list = body.deadLetters as { momentId: string; reason: string; lastError: string | null }[];
      return list.length >= bMoments.length ? list : null;
    });
    expect(new Set(deadLetters.map((d) => d.momentId))).toEqual(new Set(bMoments.map((m) => m.id)));
    expect(
      deadLetters.every((d) => d.reason === "retry window over" && d.lastError === "timeout after 1000 ms"),
    ).toBe(true);
    expect(bMoments.some((m) => deliveredTo("dead").has(m.id))).toBe(false);

    // A again: both answer.
    receiver.setMode("flaky", "ok");
    receiver.setMode("dead", "ok");
    const upAgain = await ingestTimes(a2);

    // The dead receiver is back: the operator sees its dead letters on the ops page and replays them.
    const browser = await launchBrowser();
    try {
      const { page, errors } = await browser.page({ width: 1280, height: 900 }, stack.base);
      await page.goto(`${stack.base}/ops.html`);
      await page.getByLabel("Admin token").fill("dev-admin-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      const row = page.locator(`[data-endpoint-id="${dead.id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain(`${base}/r/dead`);
      expect(await page.locator(`[data-endpoint-id="${flaky.id}"]`).textContent()).toMatch(
        /\d+(\.\d)?% of \d+/,
      );
      const replay = page.getByTestId(`webhook-replay-${dead.id}`);
      await replay.waitFor();
      expect(await page.getByTestId("webhook-dead-letters").locator("tbody tr").count()).toBe(
        bMoments.length,
      );
      await replay.click();
      // Nothing left to replay: the endpoint's dead-letter table goes away.
      await page.getByTestId("webhook-dead-letters").waitFor({ state: "detached" });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    const { body: replayed } = await adminFetch(`/${dead.id}/dead-letters`);
    const entries = replayed.deadLetters as { replayedAt: string | null }[];
    expect(entries).toHaveLength(bMoments.length);
    expect(entries.every((d) => d.replayedAt !== null)).toBe(true);
    const total = await until(
      "every moment delivered to both receivers",
      async () => (await allDelivered("flaky", lastSeq(a2))) && (await allDelivered("dead", lastSeq(a2))),
    );
    expect(total).toBe((await moments()).length);

    // Every attempt (failed ones included) was signed with the endpoint's secret.
    const flakyLog = receiver.log("flaky");
    const deadLog = receiver.log("dead");
    expect(flakyLog.every((d) => signedBy(d, flaky.secret))).toBe(true);
    expect(deadLog.every((d) => signedBy(d, dead.secret))).toBe(true);
    for (const d of [...flakyLog, ...deadLog])
      expect((JSON.parse(d.body) as MomentBase).id).toBe(d.deliveryId);
    // The flaky receiver really failed: 500s and hangs, then success.
    expect(flakyLog.some((d) => d.answer === 500)).toBe(true);
    expect(flakyLog.some((d) => d.answer === "hang")).toBe(true);

    const stats = (await adminFetch(`/${flaky.id}`)).body.stats as { failures: number; successes: number };
    expect(stats.failures).toBeGreaterThan(0);
    expect(stats.successes).toBeGreaterThanOrEqual(total);

    // Ingest latency: receivers up (A, A again) against down (B).
    const summary = (times: number[]) => {
      const sorted = [...times].sort((x, y) => x - y);
      return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    };
    // The first POSTs wake the ledger and compile the Worker: they measure the stack, not webhooks.
    const up = summary([...upFirst.slice(5), ...upAgain]);
    const downS = summary(down);
    const line = (name: string, t: ReturnType<typeof summary>) =>
      `${name}: p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms (${t.n} POSTs)`;
    console.log(
      [
        line("ingest, receivers up (A)", summary(upFirst.slice(5))),
        line("ingest, receivers failing/hanging (B)", downS),
        line("ingest, receivers up again (A')", summary(upAgain)),
        line("ingest, receivers up (A + A')", up),
        `moments ${total} (phase B ${bMoments.length}); attempts: flaky ${flakyLog.length}, dead ${deadLog.length}`,
      ].join("\n"),
    );
    // Generous bounds (two shared cores): a hanging receiver must not show up in ingest at all,
    // while the coupling this guards against (ingest waiting on a delivery) would add a second.
    expect(downS.p50).toBeLessThan(up.p50 * 2 + 20);
    expect(downS.p99).toBeLessThan(up.p99 * 3 + 100);
  }, 360_000);
});
