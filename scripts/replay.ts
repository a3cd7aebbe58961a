/**
 * Replays a bundled Cricsheet match into the signed webhook of a running stack, paced by the
 * events' own `ts` gaps. Shared by `npm start` and the browser end-to-end tests, so the page is
 * tested with exactly the feed a developer watches.
 *
 * Safe to run again on the same stack: it resumes after the seq the ledger already holds, and
 * re-sending an event the ledger stored is a `duplicate` no-op anyway, so retries after a 5xx
 * or a dropped connection cannot corrupt anything.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readCricsheetFile } from "../cricsheet/read-file.ts";
import type { ProviderEvent } from "../scoring/index.ts";
import { postSignedBatch, ROOT } from "./local-stack.ts";

export const FIXTURES_DIR = join(ROOT, "fixtures", "cricsheet");
/** Kings XI Punjab v Rajasthan Royals, IPL 2019: a complete T20 with a "Mankad" in it. */
export const DEFAULT_MATCH = "1175359";
/** The webhook takes at most 1,000 events per request; smaller batches keep each transaction short. */
const MAX_BATCH = 100;
/** Overnight jumps in a Test's synthetic clock are not worth waiting for, even at high speed. */
const MAX_WAIT_MS = 5_000;

/** The Cricsheet ids of the bundled fixtures, the default match first. */
export function bundledMatchIds(): string[] {
  const ids = readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
  return [DEFAULT_MATCH, ...ids.filter((id) => id !== DEFAULT_MATCH)];
}

/** The provider events of a bundled fixture, under `matchId` (default `cricsheet-<id>`). */
export function fixtureEvents(cricsheetId: string, matchId = `cricsheet-${cricsheetId}`): ProviderEvent[] {
  return readCricsheetFile(join(FIXTURES_DIR, `${cricsheetId}.json`), { matchId });
}

export interface ReplayProgress {
  matchId: string;
  /** Events the ledger holds (sent now or already stored before this run). */
  done: number;
  total: number;
}

export interface ReplayOptions {
  /** The stack's origin, e.g. `http://127.0.0.1:8787`. */
  base: string;
  /** One match's events, seq 1..N. */
  events: ProviderEvent[];
  /** Multiple of real time from the events' `ts` gaps; 0 sends batches as fast as the pipeline takes them. */
  speed: number;
  secret?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ReplayProgress) => void;
  /** Skip the resume lookup and send from `startAfter` (default: the seq the ledger holds). */
  startAfter?: number;
}

export interface ReplayResult {
  matchId: string;
  total: number;
  /** Events already stored before this run, skipped. */
  resumedFrom: number;
  sent: number;
}

/** Replays `events` into the webhook; resolves when the last one is acknowledged. */
export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const { base, events, speed, signal } = opts;
  const matchId = events[0]?.matchId ?? "";
  const total = events.length;
  const resumedFrom = opts.startAfter ?? (await storedSeq(base, matchId, signal));
  const pending = events.filter((e) => e.seq > resumedFrom);
  opts.onProgress?.({ matchId, done: total - pending.length, total });

  // Each event is due at its `ts` offset from the first pending one, divided by the speed.
  const startedAt = Date.now();
  const firstTs = Date.parse(pending[0]?.ts ?? "");
  let dueOffset = 0;
  let previousTs = firstTs;
  const due = pending.map((e) => {
    const ts = Date.parse(e.ts);
    dueOffset += speed > 0 ? Math.min(MAX_WAIT_MS, Math.max(0, ts - previousTs) / speed) : 0;
    previousTs = ts;
    return startedAt + dueOffset;
  });

  let i = 0;
  while (i < pending.length) {
    signal?.throwIfAborted();
    const wait = (due[i] ?? 0) - Date.now();
    if (wait > 0) await sleep(wait, signal);
    // Everything due by now goes in one request: a slow pipeline catches up in batches.
    let j = i + 1;
    while (j < pending.length && j - i < MAX_BATCH && (due[j] ?? 0) <= Date.now()) j++;
    await postEvents(base, pending.slice(i, j), { secret: opts.secret, signal });
    i = j;
    opts.onProgress?.({ matchId, done: total - pending.length + i, total });
  }
  return { matchId, total, resumedFrom, sent: pending.length };
}

/** The seq the ledger has applied for a match (its cursor), 0 when it has never heard of it. */
export async function storedSeq(base: string, matchId: string, signal?: AbortSignal): Promise<number> {
  const res = await withRetry(
    () =>
      fetch(`${base}/v1/matches/${encodeURIComponent(matchId)}`, {
        signal,
        headers: { "cache-control": "no-cache" },
      }),
    {
      signal,
      retryOn: (r) => r.status >= 500,
    },
  );
  if (res.status === 404) return 0;
  if (!res.ok) throw new Error(`GET /v1/matches/${matchId} answered ${res.status}`);
  const body = (await res.json()) as { seq?: unknown };
  return typeof body.seq === "number" ? body.seq : 0;
}

/**
 * Signs and posts one batch, retrying network errors and 5xx with jittered backoff (the ledger is
 * idempotent, so a retry of an event that did land is a `duplicate`). Anything else that is not a
 * 200 (a conflict, an invalid event) is a bug in the caller and throws.
 */
export async function postEvents(
  base: string,
  events: ProviderEvent[],
  opts: { secret?: string; signal?: AbortSignal } = {},
): Promise<void> {
  // Signed per attempt: a retry after a long outage must not fall outside the replay window.
  const res = await withRetry(() => postSignedBatch(base, events, opts), {
    signal: opts.signal,
    retryOn: (r) => r.status >= 500,
  });
  if (res.status !== 200) {
    const text = (await res.text()).slice(0, 300);
    throw new Error(`POST /v1/ingest answered ${res.status}: ${text}`);
  }
}

/** Full-jitter backoff: a wait drawn from [0, min(cap, base · 2^attempt)], for about a minute in all. */
async function withRetry(
  attempt: () => Promise<Response>,
  opts: { signal?: AbortSignal | undefined; retryOn: (res: Response) => boolean; attempts?: number },
): Promise<Response> {
  const attempts = opts.attempts ?? 12;
  for (let n = 0; ; n++) {
    opts.signal?.throwIfAborted();
    try {
      const res = await attempt();
      if (!opts.retryOn(res) || n + 1 >= attempts) return res;
      await res.body?.cancel();
    } catch (err) {
      // A network error: the stack restarting, or not listening yet.
      if (opts.signal?.aborted || n + 1 >= attempts) throw err;
    }
    await sleep(Math.random() * Math.min(10_000, 250 * 2 ** n), opts.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
