import { InFlight } from "../edge/in-flight.ts";
import type { StoredMatch } from "../fast-read/fast-read.ts";
import { fastReadFor } from "../fast-read/fast-read-config.ts";
import { stateAsJson } from "../protocol/state-json.ts";
import { ledgerStub } from "../rpc/ledger.ts";

/** Identical reads in flight in this isolate share one lookup: a burst of readers is one read. */
const inFlight = new InFlight<{ match: StoredMatch; source: string } | null>();

/**
 * The current state of a match for plain HTTP reads (CQRS): the fast-read copy first, and the
 * ledger only when that copy is missing, slow or down, so readers never wake the ledger while
 * the read model answers. A copy found missing is written back from the ledger's answer.
 */
export function readMatch(
  env: Env,
  matchId: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<{ match: StoredMatch; source: string } | null> {
  return inFlight.run(matchId, async () => {
    const { fastRead, config } = fastReadFor(env);
    const cached = await fastRead.getMatch(matchId);
    if (cached) return { match: cached, source: fastRead.mode };
    const snapshot = await ledgerStub(env, matchId).snapshot();
    if (!snapshot) return null;
    const match = {
      matchId: snapshot.matchId,
      epoch: snapshot.epoch,
      seq: snapshot.seq,
      state: stateAsJson(snapshot.state),
    };
    waitUntil(fastRead.putMatch(match, config.readModelTtlS));
    return { match, source: "ledger" };
  });
}
