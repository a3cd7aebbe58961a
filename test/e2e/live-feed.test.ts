import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Subscription, subscribe } from "../../client/index.ts";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { freePort, LocalStack, tempStateDir } from "../../scripts/local-stack.ts";
import { appliedEveryVersion } from "../support/version-chain.ts";

/** ws offers permessage-deflate by default; browsers do too, but the server declines it. */
class PlainWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: false });
  }
}

const VIEWERS_PER_REGION = 150;
const REGIONS = ["weur", "apac"] as const;

/**
 * The whole stack under `wrangler dev`, real clients (the client library over `ws`): hundreds of
 * viewers over two regions, small rooms so each region opens several shards, a real match
 * replayed into the webhook; then the runtime is killed and restarted mid-match, as a deploy
 * would disconnect everyone, and every viewer must resume and end equal to the ledger.
 */
describe("live feed end to end", () => {
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "../../fixtures/cricsheet/1175359.json"), "utf8"),
  );
  const events: ProviderEvent[] = cricsheetToEvents(file, { matchId: "e2e-live" });
  let stack: LocalStack;
  const subscriptions: Subscription<unknown>[] = [];

  afterAll(async () => {
    for (const s of subscriptions) s.close();
    await stack?.stop();
  });

  it("every viewer applies every version in order and ends equal to the ledger, across a restart", async () => {
    stack = new LocalStack(await freePort(), tempStateDir(), {
      vars: { ROOM_MAX_SOCKETS: "40", ROOM_FANOUT: "2" },
    });
    await stack.start();
    // Each batch is applied as one version: the seq of its last event.
    const versions: number[] = [];
    const send = async (slice: ProviderEvent[]) => {
      const res = await stack.ingest(slice);
      expect(res.status).toBe(200);
      versions.push(slice.at(-1)?.seq ?? 0);
    };
    await send(events.slice(0, 10));

    const applied = new Map<Subscription<unknown>, [number | null, number][]>();
    for (const region of REGIONS) {
      for (let i = 0; i < VIEWERS_PER_REGION; i++) {
        const sub = subscribe({
          baseUrl: stack.base,
          matchId: "e2e-live",
          region,
          // A third of the audience takes byte-level deltas instead of JSON Patch.
          format: i % 3 === 0 ? "fossil" : "json-patch",
          WebSocket: PlainWebSocket,
          backoff: { baseMs: 200, maxMs: 2000 },
        });
        const steps: [number | null, number][] = [];
        sub.on("update", ({ prev, seq }) => steps.push([prev, seq]));
        applied.set(sub, steps);
        subscriptions.push(sub);
      }
    }
    await until(() => subscriptions.every((s) => s.seq === 10), 30_000, "every viewer at seq 10");

    const half = Math.floor(events.length / 2);
    for (let i = 10; i < half; i += 10) await send(events.slice(i, Math.min(i + 10, half)));
    await until(() => subscriptions.every((s) => s.seq === half), 30_000, `every viewer at seq ${half}`);

    // A deploy (or a crash): every socket drops at once. Viewers back off with full jitter and resume.
    await stack.kill9();
    await stack.start();
    for (let i = half; i < events.length; i += 10) await send(events.slice(i, i + 10));
    await until(
      () => subscriptions.every((s) => s.seq === events.length),
      60_000,
      "every viewer at the final seq",
    );

    const final = await stack.get<{ seq: number; state: unknown }>("/v1/matches/e2e-live", {
      "cache-control": "no-cache",
    });
    // Every viewer applied every version, in order: the resume after the restart replays what
    // was missed instead of skipping to a snapshot.
    const expected = versions;
    for (const sub of subscriptions) {
      expect(sub.state).toEqual(final.state);
      expect(appliedEveryVersion(applied.get(sub) ?? [], expected), `versions`).toBe(true);
    }
  });
});

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
