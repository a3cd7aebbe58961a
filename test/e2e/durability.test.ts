import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import { type ProviderEvent, replay } from "../../scoring/index.ts";
import { freePort, LocalStack, tempStateDir } from "../../scripts/local-stack.ts";

const KILLS = 3;
const BATCH = 4;

/**
 * The durability promise, end to end: a 2xx from the webhook means the event is on disk.
 * Replays a real match into `wrangler dev` with local persistence, kill -9s the runtime at
 * random moments with requests in flight, restarts it on the same state, and checks that
 * every acknowledged event is still in the log and the final state equals an in-order replay.
 */
describe("kill -9 of the local runtime mid-replay", () => {
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "../../fixtures/cricsheet/1175359.json"), "utf8"),
  );
  const events: ProviderEvent[] = cricsheetToEvents(file, { matchId: "durability" });
  let stack: LocalStack;

  afterAll(async () => {
    await stack?.stop();
  });

  it("loses no acknowledged event", async () => {
    const seed = Number(process.env.CREASE_SEED ?? Date.now() % 100_000);
    let random = seed;
    const next = () => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random / 2 ** 31;
    };
    stack = new LocalStack(await freePort(), tempStateDir());
    await stack.start();
    const acknowledged = new Map<number, ProviderEvent>();
    let cursor = 0;

    for (let kill = 0; kill <= KILLS; kill++) {
      // Send until a random point, then kill while the next batches are in flight.
      const stopAt = kill === KILLS ? events.length : cursor + 20 + Math.floor(next() * 60);
      const inFlight: Promise<void>[] = [];
      while (cursor < Math.min(stopAt, events.length)) {
        const batch = events.slice(cursor, cursor + BATCH);
        cursor += batch.length;
        const sent = stack.ingest(batch).then(async (res) => {
          if (res.status === 200) for (const e of batch) acknowledged.set(e.seq, e);
          await res.body?.cancel();
        });
        if (kill === KILLS) await sent;
        else inFlight.push(sent.catch(() => undefined));
      }
      if (kill === KILLS) break;
      await new Promise((r) => setTimeout(r, Math.floor(next() * 30)));
      await stack.kill9();
      await Promise.all(inFlight);
      await stack.start();
      // Every acknowledged event must have survived; resend from the first unacknowledged one.
      // A match that stored nothing yet does not exist (404): killed before its first batch landed.
      const res = await fetch(`${stack.base}/v1/matches/durability/events?after=0&limit=1000`);
      expect([200, 404], `seed ${seed}`).toContain(res.status);
      const log = res.status === 200 ? ((await res.json()) as { events: ProviderEvent[] }) : { events: [] };
      const stored = new Map(log.events.map((e) => [e.seq, e]));
      for (const [seq, event] of acknowledged)
        expect(stored.get(seq), `seed ${seed}: acked seq ${seq} lost`).toEqual(event);
      cursor = 0;
      while (cursor < events.length && stored.has(events[cursor]?.seq ?? -1)) cursor++;
    }

    const final = await stack.get<{ seq: number; state: unknown }>("/v1/matches/durability", {
      "cache-control": "no-cache",
    });
    expect(final.seq).toBe(events.length);
    expect(final.state).toEqual(JSON.parse(JSON.stringify(replay(events))));
    // Events stored by a request killed before it could answer were never acknowledged (and
    // not resent): the guarantee is about acknowledged ones, so only those are counted here.
    expect(acknowledged.size).toBeGreaterThan(events.length / 2);
  });
});
