/**
 * The retry-later provider (issue 18, finding 1): its batches go out in order, but one that
 * fails goes to a retry queue that is worked through *later*, while newer batches keep going
 * out. The first run of the scenario is the finding's: 1..150 go through, 151..299 fail, and
 * 300..645 go through and are told `buffered`; then three kill -9s of the runtime land at
 * random moments while the rest is sent, and every batch in flight at a kill joins the queue.
 * The queue is worked only after the gap timeout has passed, as a real retry queue would.
 *
 * No loss means: every event is acknowledged in the end; the ledger and every viewer end at
 * the final seq with the state and scorecard of an in-order replay; no dead letter; the lag OK.
 */
import { isDeepStrictEqual } from "node:util";
import { type Subscription, subscribe } from "../client/index.ts";
import { type MatchState, type ProviderEvent, replay, scorecard } from "../scoring/index.ts";
import { DEV_ADMIN } from "../scripts/local-stack.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { asWire, matchEvents } from "./support/match.ts";
import { PlainWebSocket } from "./support/plain-websocket.ts";
import { runScenario } from "./support/scenario.ts";
import { sleep, until } from "./support/wait.ts";

const MATCH = "chaos-retry-later";
/** A full T20 of 645 events, the finding's match. */
const FIXTURE = "1144530";
const GAP_TIMEOUT_MS = 500;
const KILLS = 3;
const VIEWERS = 20;
const BATCH = 5;

await runScenario(
  "retry-later",
  async (seed, cleanup) => {
    const random = seededRandom(seed);
    const events = matchEvents(MATCH, FIXTURE);
    const final = events.length;
    const stack = await freshStack(cleanup, {
      GAP_TIMEOUT_MS: String(GAP_TIMEOUT_MS),
      ROOM_MAX_SOCKETS: "8",
    });

    const acknowledged = new Set<number>();
    const retryQueue: ProviderEvent[][] = [];
    /** One attempt: a 2xx acknowledges the batch; anything else (or a dead runtime) queues it for later. */
    const attempt = async (batch: ProviderEvent[]): Promise<boolean> => {
      try {
        const res = await stack.ingest(batch);
        await res.body?.cancel();
        if (res.status === 200) {
          for (const e of batch) acknowledged.add(e.seq);
          return true;
        }
      } catch {
        // The runtime died under the request.
      }
      retryQueue.push(batch);
      return false;
    };
    const sendInOrder = async (range: ProviderEvent[], inFlight: Promise<boolean>[]) => {
      for (let i = 0; i < range.length; i += BATCH) inFlight.push(attempt(range.slice(i, i + BATCH)));
    };

    // The finding: 1..150 go through; 151..299 "fail" (straight to the retry queue); 300..645 go out.
    const first: Promise<boolean>[] = [];
    await sendInOrder(events.slice(0, 150), first);
    await Promise.all(first);
    for (let i = 150; i < 299; i += BATCH) retryQueue.push(events.slice(i, Math.min(i + BATCH, 299)));

    const viewers: Subscription<MatchState>[] = [];
    cleanup(() => {
      for (const v of viewers) v.close();
    });
    for (let i = 0; i < VIEWERS; i++) {
      viewers.push(
        subscribe<MatchState>({
          baseUrl: stack.base,
          matchId: MATCH,
          region: i % 2 === 0 ? "weur" : "apac",
          WebSocket: PlainWebSocket,
          backoff: { baseMs: 100, maxMs: 1000 },
        }),
      );
    }
    await until(() => viewers.every((v) => v.seq === 150), 30_000, "every viewer at seq 150");

    // The rest goes out in order, with kill -9s at seeded points; what was in flight is queued.
    const rest = events.slice(299);
    const killAt = Array.from({ length: KILLS }, () => Math.floor(random() * rest.length)).sort(
      (a, b) => a - b,
    );
    let sent = 0;
    let kills = 0;
    for (const at of [...killAt, rest.length]) {
      const inFlight: Promise<boolean>[] = [];
      for (; sent < at; sent += BATCH) {
        inFlight.push(attempt(rest.slice(sent, Math.min(sent + BATCH, at))));
        if (inFlight.length % 4 === 0) await Promise.race([...inFlight, sleep(10)]);
      }
      sent = at;
      if (at === rest.length) {
        await Promise.all(inFlight);
        break;
      }
      await sleep(Math.floor(random() * 25));
      await stack.kill9();
      kills++;
      await Promise.all(inFlight);
      await stack.start();
      // Later, not first: the provider waits out more than the gap timeout before its retries.
    }

    // The retry queue, worked after the gap timeout has passed, until everything has its 2xx.
    await sleep(GAP_TIMEOUT_MS * 3);
    const lagBefore = await stack.get<{ waiting: unknown; deadLetters: number; appliedSeq: number }>(
      `/v1/admin/matches/${MATCH}/lag`,
      DEV_ADMIN,
    );
    let retries = 0;
    for (let round = 0; retryQueue.length > 0 && round < 10; round++) {
      const batches = retryQueue.splice(0);
      retries += batches.length;
      for (const batch of batches) await attempt(batch);
    }
    const missing = events.filter((e) => !acknowledged.has(e.seq)).length;

    const expected = replay(events);
    const expectedWire = asWire(expected);
    const expectedCard = asWire(scorecard(expected));
    await until(
      () => viewers.every((v) => v.seq === final),
      60_000,
      `every viewer at seq ${final}`,
      () => `(behind: ${viewers.filter((v) => v.seq !== final).length})`,
    ).catch(() => {});
    const ledger = await stack.get<{ seq: number; state: MatchState }>(`/v1/matches/${MATCH}`, {
      "cache-control": "no-cache",
    });
    const ledgerOk = ledger.seq === final && isDeepStrictEqual(ledger.state, expectedWire);
    const lag = await stack.get<{ status: string; deadLetters: number; buffered: number }>(
      `/v1/admin/matches/${MATCH}/lag`,
      DEV_ADMIN,
    );
    let wrongState = 0;
    let wrongCard = 0;
    for (const v of viewers) {
      if (!v.state || !isDeepStrictEqual(asWire(v.state), expectedWire)) wrongState++;
      if (!v.state || !isDeepStrictEqual(asWire(scorecard(v.state)), expectedCard)) wrongCard++;
    }
    const atFinal = viewers.filter((v) => v.seq === final).length;
    const ok =
      missing === 0 &&
      ledgerOk &&
      lag.deadLetters === 0 &&
      lag.buffered === 0 &&
      atFinal === VIEWERS &&
      wrongState === 0 &&
      wrongCard === 0;
    return {
      ok,
      line:
        `kills=${kills} events=${final} retriedBatches=${retries} neverAcked=${missing} ` +
        `beforeRetries(applied=${lagBefore.appliedSeq} waiting=${lagBefore.waiting ? "yes" : "no"} dead=${lagBefore.deadLetters}) ` +
        `ledger=${ledgerOk ? "ok" : `WRONG(seq ${ledger.seq})`} lag=${lag.status} deadLetters=${lag.deadLetters} ` +
        `viewers=${VIEWERS} atFinal=${atFinal} wrongState=${wrongState} wrongScorecard=${wrongCard}`,
    };
  },
  240_000,
);
