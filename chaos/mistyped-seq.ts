/**
 * A mistyped seq (issue 12, finding 4): a provider replays a real match and, at a seeded ball
 * k, sends k + 9000 instead of k (the finding's 9005 for 5), then goes quiet for longer than
 * the gap timeout, as between two real balls, before sending the real k and the rest. It also
 * retries the mistyped event later, as a provider that lost the reply would.
 *
 * No loss means: the ledger and every viewer end on the in-order replay of the real events;
 * every viewer saw one epoch (the mistyped event never forced a reset); no real event was
 * answered late or anything but accepted; the mistyped event waits in the buffer (a hole too
 * large to skip is a wait), its retry is a `duplicate`, nothing is dead-lettered; the lag shows
 * the hole it waits behind and is not OK until an operator discards it from the buffer, and OK after.
 */
import { isDeepStrictEqual } from "node:util";
import { type Subscription, subscribe } from "../client/index.ts";
import { type MatchState, type ProviderEvent, replay } from "../scoring/index.ts";
import { DEV_ADMIN } from "../scripts/local-stack.ts";
import { seededRandom } from "../test/support/seeded-random.ts";
import { freshStack } from "./support/fresh-stack.ts";
import { asWire, matchEvents } from "./support/match.ts";
import { PlainWebSocket } from "./support/plain-websocket.ts";
import { type IngestRow, postRaw } from "./support/post-raw.ts";
import { runScenario } from "./support/scenario.ts";
import { sleep, until } from "./support/wait.ts";

const MATCH = "chaos-mistyped";
const GAP_TIMEOUT_MS = 500;
const VIEWERS = 20;
/** 9005 for 5: far beyond LEDGER_MAX_SKIP (100), within LEDGER_MAX_AHEAD (10,000). */
const TYPO_OFFSET = 9000;

interface Lag {
  status: string;
  appliedSeq: number;
  holes: unknown[];
  buffered: number;
  waiting: { fromSeq: number; toSeq: number } | null;
}

interface DeadLetterRow {
  seq: number;
  reason: string;
  status: string;
}

await runScenario("mistyped-seq", async (seed, cleanup) => {
  const random = seededRandom(seed);
  const events = matchEvents(MATCH);
  const expected = asWire(replay(events));
  const final = events.length;
  const k = 20 + Math.floor(random() * (final - 40));
  const real = events[k - 1] as ProviderEvent;
  const typo: ProviderEvent = { ...real, seq: k + TYPO_OFFSET };
  const stack = await freshStack(cleanup, {
    GAP_TIMEOUT_MS: String(GAP_TIMEOUT_MS),
    ROOM_MAX_SOCKETS: "8",
  });

  const wrong: string[] = [];
  const send = async (batch: ProviderEvent[], want: (row: IngestRow) => boolean): Promise<IngestRow[]> => {
    const { status, rows } = await postRaw(stack.base, batch);
    if (status !== 200) wrong.push(`HTTP ${status} for ${batch[0]?.seq}..${batch.at(-1)?.seq}`);
    for (const row of rows) if (!want(row)) wrong.push(`${row.seq}:${row.status}${row.late ? "(late)" : ""}`);
    return rows;
  };
  const accepted = (row: IngestRow) => row.status === "accepted" && row.late !== true;
  /** Live pacing: small batches, one after another. */
  const sendRange = async (range: ProviderEvent[]) => {
    for (let i = 0; i < range.length; ) {
      const size = 1 + Math.floor(random() * 6);
      await send(range.slice(i, i + size), accepted);
      i += size;
    }
  };

  await sendRange(events.slice(0, 10));
  const viewers: Subscription<MatchState>[] = [];
  const epochs = new Map<Subscription<MatchState>, Set<string>>();
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
    const seen = new Set<string>();
    viewer.on("update", () => {
      if (viewer.epoch !== null) seen.add(viewer.epoch);
    });
    epochs.set(viewer, seen);
    viewers.push(viewer);
  }
  await until(() => viewers.every((v) => v.seq === 10), 30_000, "every viewer at seq 10");

  await sendRange(events.slice(10, k - 1));
  // The mistake, then a quiet spell past the gap timeout, as between two real balls.
  await send([typo], (row) => row.status === "buffered");
  const lagOf = () => stack.get<Lag>(`/v1/admin/matches/${MATCH}/lag`, DEV_ADMIN);
  await sleep(GAP_TIMEOUT_MS);
  // Not throwing here: the verdict line then shows what a wrong policy did to the rest of the match.
  await until(async () => (await lagOf()).waiting !== null, 10_000, "the ledger waiting at the hole").catch(
    () => {},
  );
  const whileParked = await lagOf();
  const cursorHeld = whileParked.appliedSeq === k - 1;

  await sendRange(events.slice(k - 1, k + 20));
  // The provider retries the mistyped event: the same event, already buffered.
  const retry = await send([typo], (row) => row.status === "duplicate");
  const retryOk = retry[0]?.status === "duplicate";
  await sendRange(events.slice(k + 20));

  const ledger = await stack.get<{ seq: number; epoch: string; state: MatchState }>(`/v1/matches/${MATCH}`, {
    "cache-control": "no-cache",
  });
  const ledgerOk = ledger.seq === final && isDeepStrictEqual(ledger.state, expected);
  await until(() => viewers.every((v) => v.seq === final), 30_000, `every viewer at seq ${final}`).catch(
    () => {},
  );
  const viewersOk = viewers.filter(
    (v) =>
      v.seq === final &&
      isDeepStrictEqual(asWire(v.state), expected) &&
      isDeepStrictEqual([...(epochs.get(v) ?? [])], [ledger.epoch]),
  ).length;
  const epochsSeen = new Set(viewers.flatMap((v) => [...(epochs.get(v) ?? [])])).size;

  const dead = await stack.get<{ deadLetters: DeadLetterRow[] }>(
    `/v1/admin/matches/${MATCH}/dead-letters`,
    DEV_ADMIN,
  );
  const deadOk = dead.deadLetters.length === 0;
  // Once the gap timeout has looked at the hole before the typo, the lag shows the wait.
  await until(async () => (await lagOf()).waiting !== null, 10_000, "the wait before the typo").catch(
    () => {},
  );
  const statusBefore = (await lagOf()).status;
  const discard = await fetch(`${stack.base}/v1/admin/matches/${MATCH}/buffered/${typo.seq}/discard`, {
    method: "POST",
    headers: DEV_ADMIN,
  });
  const after = await lagOf();
  // Never OK while the typo waits for an operator; OK once it is dealt with.
  const statusOk = statusBefore !== "OK" && discard.status === 200 && after.status === "OK";

  const ok =
    wrong.length === 0 && cursorHeld && retryOk && ledgerOk && deadOk && statusOk && viewersOk === VIEWERS;
  return {
    ok,
    line:
      `events=${final} typo=${typo.seq}-for-${k} cursorHeld=${cursorHeld ? "ok" : `WRONG(${whileParked.appliedSeq})`} ` +
      `retry=${retry[0]?.status ?? "none"} misreported=${wrong.length}${wrong.length ? `(${wrong.slice(0, 5).join(",")})` : ""} ` +
      `ledger=${ledgerOk ? "ok" : `WRONG(seq ${ledger.seq})`} deadLetters=${deadOk ? "ok" : `WRONG(${JSON.stringify(dead.deadLetters).slice(0, 200)})`} ` +
      `lagStatus=${statusBefore}->${after.status} epochsSeen=${epochsSeen} viewersOk=${viewersOk}/${VIEWERS}`,
  };
});
