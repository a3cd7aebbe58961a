import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Moment } from "../../scoring/index.ts";
import { eventually } from "../support/time.ts";
import type { ReceivedDelivery } from "../support/webhook-receiver.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ADMIN, ingestEvents, postIngest, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

const receiver = inject("webhookReceiver");
const ledgerStub = (matchId: string) => env.MATCH_LEDGER.get(env.MATCH_LEDGER.idFromName(matchId));

async function moments(matchId: string): Promise<Moment[]> {
  const res = await worker(`/v1/matches/${matchId}/moments`);
  return ((await res.json()) as { moments: Moment[] }).moments;
}

async function received(name: string): Promise<ReceivedDelivery[]> {
  return (await (await fetch(`${receiver}/r/${name}/log`)).json()) as ReceivedDelivery[];
}

/** Issue 18, finding 4: moments leave through an outbox written in the version's transaction. */
describe("moments leave through an outbox", () => {
  it("the ledger dies between the commit and the queue send: every moment still reaches the partner, at least once", async () => {
    const matchId = "outbox-crash";
    const res = await worker("/v1/admin/webhooks", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ url: `${receiver}/r/${matchId}`, matches: [matchId] }),
    });
    expect(res.status, await res.clone().text()).toBe(201);

    const events = fixtureEvents("1216517", matchId).slice(0, 60);
    await ingestEvents(events.slice(0, 2));
    // Arm the fault in the ledger's own storage: its next write with moments commits and answers
    // the provider, then the queue send is lost as if the process had died right there.
    await runInDurableObject(ledgerStub(matchId), (_instance, state) => {
      state.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('fault', 'drop-queue-send')");
    });
    const acknowledged = await postIngest(JSON.stringify({ events: events.slice(2) }));
    expect(acknowledged.status).toBe(200);
    await acknowledged.body?.cancel();

    // The batch's moments were committed with it; none reached the queue. Then the crash: every
    // object of this file restarts from its storage (nothing in memory survives).
    const committed = await moments(matchId);
    expect(committed.length).toBeGreaterThan(0);
    const unsent = () =>
      runInDurableObject(
        ledgerStub(matchId),
        (_instance, state) =>
          state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM moments WHERE announced = 0").one()
            .n,
      );
    expect(await unsent()).toBe(committed.length);
    await abortAllDurableObjects();

    // The restarted ledger sends them from the outbox: its alarm (or any later write) drains it.
    await runDurableObjectAlarm(ledgerStub(matchId));
    const ids = new Set(committed.map((m) => m.id));
    const got = await eventually("every committed moment at the receiver", async () => {
      const deliveries = await received(matchId);
      const seen = new Set(deliveries.map((d) => (JSON.parse(d.body) as Moment).id));
      return [...ids].every((id) => seen.has(id)) ? deliveries : null;
    });
    expect(got.length).toBeGreaterThanOrEqual(ids.size);
    expect(await unsent()).toBe(0);
  });
});
