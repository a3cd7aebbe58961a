/**
 * Which match ids exist, answered by the match index and remembered in this isolate: a
 * known match for a minute (matches are only removed by an admin), an unknown one for a
 * second (a match is born with its first signed event and must become readable quickly).
 * A herd asking about made-up ids costs one index lookup per id per second per isolate, and
 * never wakes a ledger, a room or the read model, so it creates nothing.
 */
import { InFlight } from "../edge/in-flight.ts";
import { matchIndexStub } from "../rpc/match-index.ts";

const KNOWN_TTL_MS = 60_000;
const UNKNOWN_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

const answers = new Map<string, { exists: boolean; until: number }>();
const inFlight = new InFlight<boolean>();

export async function matchExists(env: Env, matchId: string): Promise<boolean> {
  const now = Date.now();
  const cached = answers.get(matchId);
  if (cached && cached.until > now) return cached.exists;
  return inFlight.run(matchId, async () => {
    const exists = await matchIndexStub(env).has(matchId);
    if (answers.size >= MAX_ENTRIES) answers.clear();
    answers.set(matchId, { exists, until: Date.now() + (exists ? KNOWN_TTL_MS : UNKNOWN_TTL_MS) });
    return exists;
  });
}

/** Forget what this isolate knows of a match (after an admin removed it). */
export function forgetMatch(matchId: string): void {
  answers.delete(matchId);
}
