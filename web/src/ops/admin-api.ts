/**
 * The admin API as the operations page uses it. The token lives in this tab's sessionStorage
 * only and travels as a bearer header; the page itself holds no secret.
 */

import type {
  Conflict,
  DeadLetter,
  LedgerStatus,
  MatchSummary,
  WaitingHole,
} from "../../../protocol/admin-types.ts";

const TOKEN_KEY = "crease.adminToken";

/** The wire shape of `GET /v1/admin/matches/:id/lag` (durable-objects/match-ledger.ts `LedgerLag`). */
export interface LagReport {
  matchId: string;
  /** The ledger's health: never OK while a conflict, a hole or a dead letter awaits an operator. */
  status: LedgerStatus;
  reason: string;
  waiting: WaitingHole | null;
  openConflicts: Conflict[];
  receivedSeq: number;
  appliedSeq: number;
  buffered: number;
  gaps: { fromSeq: number; toSeq: number; skippedAt: number; missing: number }[];
  deadLetters: number;
  conflicts: number;
  consumer: {
    status: "OK" | "WARNING" | "STALLED" | "STOPPED";
    lag: number;
    slopePerSecond: number;
    reason: string;
    samples: { at: number; produced: number; consumed: number }[];
  };
  edge: {
    region: string;
    viewers: number;
    confirmedSeq: number;
    reportedAt: number;
    lag: number;
    status: string;
  }[];
}

export type { Conflict, DeadLetter, MatchSummary } from "../../../protocol/admin-types.ts";

export class Unauthorized extends Error {}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${storedToken() ?? ""}`, ...(init.headers ?? {}) },
  });
  if (res.status === 401) throw new Unauthorized("the admin token was refused");
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok && res.status !== 409)
    throw new Error(body?.error?.message ?? `${path} answered ${res.status}`);
  return body as T;
}

/** The fast-read layer as the Worker answering this page sees it. */
export interface FastReadHealth {
  mode: "upstash" | "embedded";
  breaker: "closed" | "open" | "half-open";
}

/** Any admin route with the token (the webhooks panel's routes). */
export { call as adminCall };

export const adminApi = {
  fastRead: () => call<{ fastRead: FastReadHealth }>("/health").then((b) => b.fastRead),
  matches: () => call<{ matches: MatchSummary[] }>("/v1/matches").then((b) => b.matches),
  lag: (id: string) => call<LagReport>(`/v1/admin/matches/${encodeURIComponent(id)}/lag`),
  deadLetters: (id: string) =>
    call<{ deadLetters: DeadLetter[] }>(`/v1/admin/matches/${encodeURIComponent(id)}/dead-letters`).then(
      (b) => b.deadLetters,
    ),
  resolveConflict: (id: string, seq: number, keep: "stored" | "incoming") =>
    call<{ appliedSeq: number }>(`/v1/admin/matches/${encodeURIComponent(id)}/conflicts/${seq}/resolve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ keep }),
    }),
  act: (id: string, seq: number, action: "replay" | "discard") =>
    call<{ applied?: boolean }>(`/v1/admin/matches/${encodeURIComponent(id)}/dead-letters/${seq}/${action}`, {
      method: "POST",
    }),
};
