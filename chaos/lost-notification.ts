/**
 * Lost notifications: at seeded moments of a replay the ledger forgets its edge regions (the
 * admin "edge/forget" operation), so the versions published next reach no room. Rooms own
 * their offset: the next version arrives after a hole (or the presence report shows the
 * ledger ahead) and they pull what they missed. With 40 viewers over two regions and several
 * shards, every viewer must still apply every version, in order, and end on the replayed state.
 */
import { isDeepStrictEqual } from "node:util";
import { type Subscription, subscribe } from "../client/index.ts";
import { type MatchState, replay } from "../scoring/index.ts";
import { DEV_ADMIN } from "../scripts/local-stack.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { appliedEveryVersion } from "../test/support/version-chain.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { asWire, matchEvents } from "./support/match.ts";
import { PlainWebSocket } from "./support/plain-websocket.ts";
import { runScenario } from "./support/scenario.ts";
import { until } from "./support/wait.ts";

const MATCH = "chaos-lost";
const VIEWERS = 40;
const BATCH = 6;

await runScenario("lost-notification", async (seed, cleanup) => {
  const random = seededRandom(seed);
  const events = matchEvents(MATCH);
  const stack = await freshStack(cleanup, { ROOM_MAX_SOCKETS: "10", ROOM_PRESENCE_INTERVAL_MS: "1000" });
  const published: number[] = [];
  let failedPosts = 0;
  const post = async (slice: typeof events) => {
    const res = await stack.ingest(slice);
    if (res.status === 200) published.push(slice.at(-1)?.seq ?? 0);
    else failedPosts++;
    await res.body?.cancel();
  };
  await post(events.slice(0, BATCH));

  const viewers: Subscription<MatchState>[] = [];
  /** Each viewer's updates as [prev, seq]: one version, or a run the room coalesced into one patch. */
  const applied = new Map<Subscription<MatchState>, [number | null, number][]>();
  cleanup(() => {
    for (const v of viewers) v.close();
  });
  for (let i = 0; i < VIEWERS; i++) {
    const viewer = subscribe<MatchState>({
      baseUrl: stack.base,
      matchId: MATCH,
      region: i % 2 === 0 ? "weur" : "apac",
      WebSocket: PlainWebSocket,
    });
    const steps: [number | null, number][] = [];
    viewer.on("update", ({ prev, seq }) => steps.push([prev, seq]));
    applied.set(viewer, steps);
    viewers.push(viewer);
  }
  await until(() => viewers.every((v) => v.seq === BATCH), 30_000, "every viewer at the first version");

  let forgets = 0;
  let forgotten = 0;
  for (let i = BATCH; i < events.length; i += BATCH) {
    if (random() < 0.15) {
      const res = await fetch(`${stack.base}/v1/admin/matches/${MATCH}/edge/forget`, {
        method: "POST",
        headers: DEV_ADMIN,
      });
      forgotten += ((await res.json()) as { forgotten: number }).forgotten;
      forgets++;
    }
    await post(events.slice(i, i + BATCH));
  }
  const last = events.at(-1)?.seq ?? 0;
  // A forget right before the last batch can only be repaired by the presence report: give it a few ticks.
  await until(
    () => viewers.every((v) => v.seq === last),
    30_000,
    "every viewer at the final seq",
    () => `(behind: ${viewers.filter((v) => v.seq !== last).length})`,
  );

  const expected = asWire(replay(events));
  const wrongState = viewers.filter((v) => !isDeepStrictEqual(asWire(v.state), expected)).length;
  const gaps = viewers.filter((v) => !appliedEveryVersion(applied.get(v) ?? [], published)).length;
  const updates = viewers.reduce((n, v) => n + (applied.get(v)?.length ?? 0), 0);
  const ok = failedPosts === 0 && wrongState === 0 && gaps === 0 && forgotten > 0;
  return {
    ok,
    line: `events=${events.length} versions=${published.length} forgets=${forgets} regionsForgotten=${forgotten} failedPosts=${failedPosts} viewers=${VIEWERS} updates=${updates} missedOrReordered=${gaps} wrongState=${wrongState}`,
  };
});
