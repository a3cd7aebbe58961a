import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";

/**
 * Waits (bounded) until no room and no ledger of this test file has an alarm pending, nor the
 * match index one due soon (settleIndex): the presence ticks that outlive the last socket (a
 * room leaves the publication tree on the tick after its last viewer, then its parent on the
 * next), the ledgers' gap timers and the ticker's coalescing. Work still running when vitest
 * tears the file's runtime down ends as "uncaught exception … EnvironmentTeardownError" stack
 * traces in an otherwise green run, and an alarm that fires after the pool hung up as "Error
 * sending to pool". Close the sockets first (`TestViewer.closeAll()`), or the rooms never go quiet.
 */
export async function settleObjects(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = [...(await roomsWithAlarms()), ...(await ledgersWithAlarms())];
    if (busy.length === 0) return settleIndex();
    if (Date.now() > deadline)
      throw new Error(`still an alarm pending after ${timeoutMs} ms in ${busy.length} objects: ${busy[0]}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits (bounded) until the match index has no alarm due soon: every ingest touches the ticker,
 * whose coalescing interval (300 ms in tests) ends in the index's alarm. One that fires after a
 * file's last test runs in a runtime whose test pool has already hung up: loading the Worker's
 * module for it prints "Error sending to pool: TypeError: Can't call WebSocket send() after
 * close()". An alarm further off (a finished match's time on the ticker) never fires before the
 * file ends, so it is not waited for.
 */
export async function settleIndex(timeoutMs = 10_000, horizonMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const due = await indexAlarmsDueWithin(horizonMs);
    if (due.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the match index still has an alarm due after ${timeoutMs} ms: ${due[0]}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function indexAlarmsDueWithin(horizonMs: number): Promise<string[]> {
  const due: string[] = [];
  for (const id of await listDurableObjectIds(env.MATCH_INDEX)) {
    const alarm = await runInDurableObject(env.MATCH_INDEX.get(id), (_index, state) =>
      state.storage.getAlarm(),
    );
    if (alarm !== null && alarm <= Date.now() + horizonMs) due.push(`index ${id.toString()}`);
  }
  return due;
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
