import type { LedgerApi } from "../durable-objects/stubs.ts";
import { readWorkerConfig } from "./config.ts";

/**
 * The ledger stub for a match. The match id is the partition key; the location hint
 * keeps every ledger (the writers) in one central region, whatever edge the request
 * came through.
 */
export function ledgerFor(env: Env, matchId: string): LedgerApi {
  const { ledgerLocationHint } = readWorkerConfig(env);
  const stub = env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId), {
    locationHint: ledgerLocationHint,
  });
  // The class's own signatures are the contract (see durable-objects/stubs.ts).
  return stub as unknown as LedgerApi;
}

export function matchIndex(env: Env) {
  return env.MATCH_INDEX.get(env.MATCH_INDEX.idFromName("all"));
}
