import { env, runDurableObjectAlarm } from "cloudflare:test";
import type { LedgerLag } from "../../../rpc/ledger.ts";
import { ADMIN, worker } from "./ingest.ts";

/** The ledger of a match, as the tests reach it (no location hint needed in the pool). */
export const ledgerStub = (matchId: string) => env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));

/** GAP_TIMEOUT_MS is 300 in the test config: wait it out, then run the alarm if it has not run yet. */
export async function pastGapTimeout(matchId: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 350));
  // An alarm that fires a hair before the timeout is due on the object's clock re-arms itself:
  // run it until none is left (the outbox's backstop may be armed too; running it early is harmless).
  for (let i = 0; i < 3; i++) if (!(await runDurableObjectAlarm(ledgerStub(matchId)))) break;
}

/** The lag report, as the admin route serves it. */
export async function lagOf(matchId: string): Promise<LedgerLag> {
  return (await (await worker(`/v1/admin/matches/${matchId}/lag`, { headers: ADMIN })).json()) as LedgerLag;
}

/** A refusal's status and its error body. */
export async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}
