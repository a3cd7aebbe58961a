import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { LedgerStore } from "../../origin/ledger/ledger-store.ts";
import { ENGINE_VERSION, replay } from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

describe("a ledger written by an older engine", () => {
  it("drops its snapshots and published patches, starts a new epoch, and answers from the log", async () => {
    const matchId = "engine-upgrade";
    const events = fixtureEvents("1175359", matchId).slice(0, 120);
    await ingestEvents(events);
    const before = await matchState(matchId);
    const stub = env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));
    const outcome = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      // What an engine before versioning left: no engine record, and a snapshot of another shape.
      sql.exec("DELETE FROM meta WHERE key = 'engine'");
      sql.exec("UPDATE snapshots SET state = json_remove(state, '$.innings[0].countedBalls')");
      const store = new LedgerStore(sql);
      const adopted = store.adoptEngine(ENGINE_VERSION, () => "fresh-epoch");
      const again = store.adoptEngine(ENGINE_VERSION, () => "another");
      return {
        adopted,
        again,
        snapshots: sql.exec("SELECT COUNT(*) AS n FROM snapshots").one().n,
        published: sql.exec("SELECT COUNT(*) AS n FROM published").one().n,
        epoch: store.getMeta("epoch"),
      };
    });
    expect(outcome).toEqual({
      adopted: true,
      again: false,
      snapshots: 0,
      published: 0,
      epoch: "fresh-epoch",
    });
    expect(before.epoch).not.toBe("fresh-epoch");
    // Time travel rebuilds from the log, not from a snapshot of the old shape.
    const at = await matchState(matchId, 100);
    expect(at.state).toEqual(JSON.parse(JSON.stringify(replay(events.slice(0, 100)))));
  });
});
