/**
 * Provider misbehaviour against one match: duplicates, reordering, a late event past the gap
 * timeout, a correction, malformed events mixed into batches, and clock skew. The ledger (and
 * a few viewers) must end at the state of the corrected stream replayed in seq order, every
 * malformed event must be reported `invalid` with its valid neighbours kept, and the engine's
 * event-time fields must follow the source's clock, not the receiver's.
 */
import { isDeepStrictEqual } from "node:util";
import { type Subscription, subscribe } from "../client/index.ts";
import { type MatchState, type ProviderEvent, replay } from "../scoring/index.ts";
import { DEV_ADMIN } from "../scripts/local-stack.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { malformed } from "./provider/malformed.ts";
import { misbehavingStream } from "./provider/misbehaving-stream.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { asWire, matchEvents } from "./support/match.ts";
import { PlainWebSocket } from "./support/plain-websocket.ts";
import { type IngestRow, postRaw } from "./support/post-raw.ts";
import { runScenario } from "./support/scenario.ts";
import { sleep, until } from "./support/wait.ts";

const MATCH = "chaos-provider";
const GAP_TIMEOUT_MS = 500;
const VIEWERS = 5;
const OK_STATUSES = new Set(["accepted", "buffered", "duplicate"]);

await runScenario("provider", async (seed, cleanup) => {
  const random = seededRandom(seed);
  const { events, correction, skewed } = misbehavingStream(matchEvents(MATCH), random);
  const expected = replay(events);
  const stack = await freshStack(cleanup, { GAP_TIMEOUT_MS: String(GAP_TIMEOUT_MS) });

  const acked = new Set<number>();
  const counts = {
    batches: 0,
    duplicates: 0,
    reordered: 0,
    malformed: 0,
    reportedInvalid: 0,
    misreported: 0,
  };
  /** Sends valid events shuffled, with duplicates and malformed copies mixed in; checks every row. */
  const send = async (batch: ProviderEvent[]): Promise<IngestRow[]> => {
    const items: { body: unknown; valid: boolean }[] = [];
    for (const e of shuffle(batch, random)) {
      items.push({ body: e, valid: true });
      if (random() < 0.25) {
        items.push({ body: e, valid: true });
        counts.duplicates++;
      }
      if (random() < 0.2) {
        items.splice(Math.floor(random() * items.length), 0, { body: malformed(e, random), valid: false });
        counts.malformed++;
      }
    }
    counts.batches++;
    const { rows } = await postRaw(
      stack.base,
      items.map((i) => i.body),
    );
    for (const row of rows) {
      const item = items[row.index];
      if (!item) continue;
      if (!item.valid) {
        if (row.status === "invalid") counts.reportedInvalid++;
        else counts.misreported++;
      } else if (OK_STATUSES.has(row.status)) {
        acked.add((item.body as ProviderEvent).seq);
      } else counts.misreported++;
    }
    return rows;
  };

  // Reordering across requests too: windows of batches go out in shuffled order.
  const sendRange = async (range: ProviderEvent[]) => {
    const batches: ProviderEvent[][] = [];
    for (let i = 0; i < range.length; ) {
      const size = 1 + Math.floor(random() * 8);
      batches.push(range.slice(i, i + size));
      i += size;
    }
    for (let w = 0; w < batches.length; w += 3) {
      const window = batches.slice(w, w + 3);
      const order = shuffle(window, random);
      if (order.some((b, k) => b !== window[k])) counts.reordered++;
      for (const b of order) await send(b);
      // A provider retry of something already acknowledged.
      if (random() < 0.3) await send(window[0] ?? []);
    }
  };

  const viewers: Subscription<MatchState>[] = [];
  cleanup(() => {
    for (const v of viewers) v.close();
  });

  // A second-innings delivery withheld past the gap timeout, then sent late.
  const withheld =
    events.find((e) => e.type === "delivery" && e.payload.innings === 2 && e.seq > 160)?.seq ?? 180;
  await sendRange(events.slice(0, 10));
  for (let i = 0; i < VIEWERS; i++)
    viewers.push(
      subscribe<MatchState>({
        baseUrl: stack.base,
        matchId: MATCH,
        region: "weur",
        WebSocket: PlainWebSocket,
      }),
    );
  await sendRange(events.slice(10, withheld - 1));
  await sendRange(events.slice(withheld, withheld + 20));
  // The ledger must move on without the missing seq after the gap timeout.
  const ledgerSeq = async () =>
    (await stack.get<{ seq: number }>(`/v1/matches/${MATCH}`, { "cache-control": "no-cache" })).seq;
  await until(
    async () => (await ledgerSeq()) >= withheld + 20,
    10_000,
    `the ledger past the gap at ${withheld}`,
  );
  await sleep(GAP_TIMEOUT_MS * 2);
  const lateRows = await send(events.slice(withheld - 1, withheld));
  const lateOk = lateRows.some((r) => r.seq === withheld && r.status === "accepted" && r.late === true);
  await sendRange(events.slice(withheld + 20));

  // Anything without its acknowledgement is retried in order, as a provider would.
  const unacked = events.filter((e) => !acked.has(e.seq));
  for (const e of unacked) await send([e]);

  const final = events.length;
  const ledger = await stack.get<{ seq: number; state: MatchState }>(`/v1/matches/${MATCH}`, {
    "cache-control": "no-cache",
  });
  const wire = asWire(expected);
  const ledgerOk = ledger.seq === final && isDeepStrictEqual(ledger.state, wire);
  // Event time: the newest event's `ts` is the source's (skewed) clock, nowhere near ours.
  const lastTs = events.at(-1)?.ts ?? null;
  const eventTimeOk = ledger.state.lastEventTs === lastTs && expected.lastEventTs === lastTs;
  const correctionOk = isDeepStrictEqual(asWire(ledger.state.corrections), [
    { seq: correction.seq, targetSeq: correction.payload.targetSeq },
  ]);
  const dead = await stack.get<{ deadLetters?: unknown[] }>(
    `/v1/admin/matches/${MATCH}/dead-letters`,
    DEV_ADMIN,
  );
  const deadCount = dead.deadLetters?.length ?? -1;
  await until(() => viewers.every((v) => v.seq === final), 30_000, `every viewer at seq ${final}`).catch(
    () => {},
  );
  const viewersOk = viewers.filter((v) => v.seq === final && isDeepStrictEqual(asWire(v.state), wire)).length;

  const ok =
    ledgerOk &&
    eventTimeOk &&
    correctionOk &&
    lateOk &&
    deadCount === 0 &&
    counts.misreported === 0 &&
    counts.reportedInvalid === counts.malformed &&
    unacked.length === 0 &&
    viewersOk === VIEWERS;
  return {
    ok,
    line:
      `events=${final} batches=${counts.batches} duplicates=${counts.duplicates} reorderedWindows=${counts.reordered} ` +
      `malformed=${counts.malformed} reportedInvalid=${counts.reportedInvalid} misreported=${counts.misreported} ` +
      `late=${withheld}:${lateOk ? "ok" : "WRONG"} correction=${correction.payload.targetSeq}:${correctionOk ? "ok" : "WRONG"} ` +
      `skewed=${skewed.length} eventTime=${eventTimeOk ? "source" : `WRONG(${ledger.state.lastEventTs})`} ` +
      `unackedAfterFirstPass=${unacked.length} deadLetters=${deadCount} ledger=${ledgerOk ? "ok" : `WRONG(seq ${ledger.seq})`} viewersOk=${viewersOk}/${VIEWERS}`,
  };
});

function shuffle<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
