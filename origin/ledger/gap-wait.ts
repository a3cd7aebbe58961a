/**
 * The gap timeout's clock, kept in the ledger's meta so it survives eviction: since when the
 * cursor has waited with events buffered behind a hole, and whether the timeout has had its say
 * at this cursor (a hole too large to skip is waited at; nothing to time again until the cursor
 * moves). Pure: the ledger stores the text and sets the alarm these answers name.
 */
import type { WaitingHole } from "../../protocol/admin-types.ts";

export interface GapWait {
  cursor: number;
  since: number;
  decided: boolean;
}

/** The stored text read back; null when nothing waits (or the text is unreadable: a fresh wait starts). */
export function readGapWait(raw: string | null): GapWait | null {
  if (!raw) return null;
  const [cursor, since, decided] = raw.split(":");
  if (
    cursor === undefined ||
    since === undefined ||
    Number.isNaN(Number(cursor)) ||
    Number.isNaN(Number(since))
  )
    return null;
  return { cursor: Number(cursor), since: Number(since), decided: decided === "decided" };
}

export function writeGapWait(wait: GapWait | null): string {
  return wait === null ? "" : `${wait.cursor}:${wait.since}${wait.decided ? ":decided" : ""}`;
}

/**
 * After a write: the wait to keep and when the alarm must go off (null: no need). A new cursor
 * with events buffered starts a full wait; the same cursor keeps its wait (timed until decided);
 * nothing buffered ends it, so the next early event starts a full wait.
 */
export function nextGapWait(
  wait: GapWait | null,
  cursor: number,
  buffered: number,
  now: number,
  timeoutMs: number,
): { wait: GapWait | null; alarmAt: number | null } {
  if (buffered === 0) return { wait: null, alarmAt: null };
  if (!wait || wait.cursor !== cursor)
    return { wait: { cursor, since: now, decided: false }, alarmAt: now + timeoutMs };
  return { wait, alarmAt: wait.decided ? null : wait.since + timeoutMs };
}

/** Whether the alarm that fired is this wait's timeout, due and not yet decided. */
export function gapTimeoutDue(wait: GapWait | null, cursor: number, now: number, timeoutMs: number): boolean {
  return wait !== null && !wait.decided && wait.cursor === cursor && now - wait.since >= timeoutMs;
}

/** The hole the ledger waits at once its timeout decided to wait, with what is buffered behind it. */
export function waitingHole(
  wait: GapWait | null,
  cursor: number,
  nextStored: number | null,
  buffered: number,
): WaitingHole | null {
  if (nextStored === null || nextStored <= cursor + 1 || !wait?.decided || wait.cursor !== cursor)
    return null;
  return {
    fromSeq: cursor + 1,
    toSeq: nextStored - 1,
    missing: nextStored - 1 - cursor,
    buffered,
    since: wait.since,
  };
}
