import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";

/**
 * Waits (bounded) until no room and no ledger of this test file has an alarm pending: the
 * presence ticks that outlive the last socket (a room leaves the publication tree on the tick
 * after its last viewer, then its parent on the next) and the ledgers' gap timers. Work still
 * running when vitest tears the file's runtime down ends as "uncaught exception …
 * EnvironmentTeardownError" stack traces in an otherwise green run. Close the sockets first
 * (`TestViewer.closeAll()`), or the rooms never go quiet.
 */
export async function settleObjects(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = [...(await roomsWithAlarms()), ...(await ledgersWithAlarms())];
    if (busy.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`still an alarm pending after ${timeoutMs} ms in ${busy.length} objects: ${busy[0]}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function roomsWithAlarms(): Promise<string[]> {
  const busy: string[] = [];
  for (const id of await listDurableObjectIds(env.MATCH_ROOM)) {
    const alarm = await runInDurableObject(env.MATCH_ROOM.get(id), (_room, state) =>
      state.storage.getAlarm(),
    );
    if (alarm !== null) busy.push(`room ${id.toString()}`);
  }
  return busy;
}

async function ledgersWithAlarms(): Promise<string[]> {
  const busy: string[] = [];
  for (const id of await listDurableObjectIds(env.MATCH_LEDGER)) {
    const alarm = await runInDurableObject(env.MATCH_LEDGER.get(id), (_ledger, state) =>
      state.storage.getAlarm(),
    );
    if (alarm !== null) busy.push(`ledger ${id.toString()}`);
  }
  return busy;
}
