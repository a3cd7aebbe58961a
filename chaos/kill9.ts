/**
 * kill -9 of the local runtime at random moments during a replay, with 50 viewers on the
 * client library: no acknowledged event lost, every viewer ends at the final seq with the
 * state (and the scorecard) of an in-order replay of the match.
 *
 * The provider here behaves as a real one does: batches in flight when the runtime dies are
 * retried after it returns (retries are idempotent), until every event has had its 2xx.
 */
import { isDeepStrictEqual } from "node:util";
import { type Subscription, subscribe } from "../client/index.ts";
import { type MatchState, type ProviderEvent, replay, scorecard } from "../scoring/index.ts";
import type { LocalStack } from "../scripts/local-stack.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { asWire, matchEvents } from "./support/match.ts";
import { PlainWebSocket } from "./support/plain-websocket.ts";
import { runScenario } from "./support/scenario.ts";
import { sleep, until } from "./support/wait.ts";

const MATCH = "chaos-kill9";
const KILLS = 6;
const VIEWERS = 50;
const BATCH = 3;

await runScenario("kill9", async (seed, cleanup) => {
  const random = seededRandom(seed);
  const events = matchEvents(MATCH);
  const stack = await freshStack(cleanup, { ROOM_MAX_SOCKETS: "20" });

  const acknowledged = new Map<number, ProviderEvent>();
  const post = async (batch: ProviderEvent[]): Promise<void> => {
    try {
      const res = await stack.ingest(batch);
      if (res.status === 200) for (const e of batch) acknowledged.set(e.seq, e);
      await res.body?.cancel();
    } catch {
      // The runtime died under the request: not acknowledged, so the provider retries it.
    }
  };
  await post(events.slice(0, 5));

  const viewers: Subscription<MatchState>[] = [];
  cleanup(() => {
    for (const v of viewers) v.close();
  });
  for (let i = 0; i < VIEWERS; i++) {
    viewers.push(
      subscribe<MatchState>({
        baseUrl: stack.base,
        matchId: MATCH,
        region: i % 2 === 0 ? "weur" : "enam",
        format: i % 5 === 0 ? "fossil" : "json-patch",
        WebSocket: PlainWebSocket,
        backoff: { baseMs: 100, maxMs: 1000 },
      }),
    );
  }
  await until(() => viewers.every((v) => v.seq === 5), 30_000, "every viewer at seq 5");

  // Kill points spread over the replay, each at a random event and a random delay into the
  // batches in flight; requests keep going out concurrently so some die mid-commit.
  const killAt = Array.from({ length: KILLS }, () => 5 + Math.floor(random() * (events.length - 10))).sort(
    (a, b) => a - b,
  );
  let lost = 0;
  let retried = 0;
  let cursor = 5;
  let kills = 0;
  for (const at of killAt) {
    const inFlight: Promise<void>[] = [];
    while (cursor < at) {
      const batch = events.slice(cursor, Math.min(cursor + BATCH, at));
      cursor += batch.length;
      inFlight.push(post(batch));
      if (inFlight.length % 4 === 0) await Promise.race([...inFlight, sleep(10)]);
    }
    await sleep(Math.floor(random() * 25));
    await stack.kill9();
    kills++;
    await Promise.all(inFlight);
    await stack.start();
    const stored = await storedLog(stack);
    for (const [seq, event] of acknowledged) if (!isDeepStrictEqual(stored.get(seq), asWire(event))) lost++;
    if (lost > 0)
      return { ok: false, line: `kill ${kills}: ${lost} acknowledged events missing from the log` };
    // The provider retries everything without a 2xx (some of it is already stored: duplicates).
    const retry = events.slice(0, cursor).filter((e) => !acknowledged.has(e.seq));
    retried += retry.length;
    for (let i = 0; i < retry.length; i += BATCH) await post(retry.slice(i, i + BATCH));
  }
  while (cursor < events.length) {
    const batch = events.slice(cursor, cursor + BATCH);
    cursor += batch.length;
    await post(batch);
  }
  const missing = events.filter((e) => !acknowledged.has(e.seq));
  if (missing.length > 0) return { ok: false, line: `${missing.length} events never acknowledged` };

  const final = events.length;
  await until(
    () => viewers.every((v) => v.seq === final),
    60_000,
    `every viewer at seq ${final}`,
    () => `(behind: ${viewers.filter((v) => v.seq !== final).length})`,
  );
  const expected = replay(events);
  // Deep equality, not text: a fossil viewer's state comes from canonical (key-sorted) JSON.
  const expectedWire = asWire(expected);
  const expectedCard = asWire(scorecard(expected));
  const ledger = await stack.get<{ seq: number; state: MatchState }>(`/v1/matches/${MATCH}`, {
    "cache-control": "no-cache",
  });
  const ledgerOk = ledger.seq === final && isDeepStrictEqual(ledger.state, expectedWire);
  let wrongState = 0;
  let wrongCard = 0;
  for (const v of viewers) {
    if (!v.state || !isDeepStrictEqual(asWire(v.state), expectedWire)) wrongState++;
    if (!v.state || !isDeepStrictEqual(asWire(scorecard(v.state)), expectedCard)) wrongCard++;
  }
  const ok = lost === 0 && ledgerOk && wrongState === 0 && wrongCard === 0;
  return {
    ok,
    line: `kills=${kills} events=${final} acked=${acknowledged.size} retriedAfterKills=${retried} lost=${lost} ledger=${ledgerOk ? "ok" : "WRONG"} viewers=${VIEWERS} atFinal=${viewers.filter((v) => v.seq === final).length} wrongState=${wrongState} wrongScorecard=${wrongCard}`,
  };
});

async function storedLog(stack: LocalStack): Promise<Map<number, ProviderEvent>> {
  const stored = new Map<number, ProviderEvent>();
  for (let after = 0; ; ) {
    const page = await stack.get<{ events: ProviderEvent[] }>(
      `/v1/matches/${MATCH}/events?after=${after}&limit=1000`,
    );
    for (const e of page.events) stored.set(e.seq, e);
    const last = page.events.at(-1)?.seq;
    if (last === undefined || page.events.length < 1000) return stored;
    after = last;
  }
}
