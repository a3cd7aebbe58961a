import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { readAttachment, type SocketAttachment } from "../../../edge/socket-attachment.ts";
import { SocketBook } from "../../../edge/socket-book.ts";

/**
 * What a fan-out room remembers in memory, reached from a test through `runInDurableObject`:
 * any feed's room (the core's `book` field is the same in each). Hibernation erases the
 * memory, never storage or sockets; these helpers erase or move it on purpose.
 */
type Remembering = { book: SocketBook<WebSocket> };

/**
 * Rewrites every socket's attachment in a room and empties the room's book, as a wake-up
 * would, so the room reads the rewritten ones. Returns how many sockets it changed.
 */
export function rewriteAttachments(
  stub: DurableObjectStub,
  change: (a: SocketAttachment) => SocketAttachment,
): Promise<number> {
  return runInDurableObject(stub, (instance, state) => {
    (instance as unknown as Remembering).book = new SocketBook();
    let changed = 0;
    for (const ws of state.getWebSockets()) {
      const attachment = readAttachment(ws);
      if (!attachment) continue;
      ws.serializeAttachment(change(attachment));
      changed++;
    }
    return changed;
  });
}

/** Waits (bounded) until some socket's attachment in the room is as `holds` says. */
export async function untilAttachment(
  stub: DurableObjectStub,
  holds: (a: SocketAttachment) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 5000;
  const held = () =>
    runInDurableObject(stub, (_room, state) =>
      state.getWebSockets().some((ws) => {
        const attachment = readAttachment(ws);
        return attachment !== null && holds(attachment);
      }),
    );
  while (!(await held())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Wakes a room (an empty book) and counts, per socket, how often the room reads its
 * attachment back from then on: one counter per socket is appended to `reads`. Returns how
 * many sockets the room holds.
 */
export function countAttachmentReads(stub: DurableObjectStub, reads: number[]): Promise<number> {
  return runInDurableObject(stub, (instance, state) => {
    (instance as unknown as Remembering).book = new SocketBook();
    for (const ws of state.getWebSockets()) {
      const counter = reads.push(0) - 1;
      const read = ws.deserializeAttachment.bind(ws);
      ws.deserializeAttachment = () => {
        reads[counter] = (reads[counter] ?? 0) + 1;
        return read();
      };
    }
    return state.getWebSockets().length;
  });
}

/**
 * Hibernation as the room sees it: every instance field back to what a freshly woken object
 * holds (a new instance's, copied over), storage and sockets untouched. The pinned pool has no
 * `evictDurableObject`, and `abortAllDurableObjects` drops the sockets (room-eviction.test.ts).
 * Unlike a list of fields to reset, a field a feed adds later is erased too.
 */
export function evictRoom(stub: DurableObjectStub): Promise<void> {
  return runInDurableObject(stub, (instance, state) => {
    const Room = instance.constructor as new (ctx: DurableObjectState, env: Env) => object;
    const woken = new Room(state, (instance as unknown as { env: Env }).env);
    Object.assign(instance, woken);
  });
}

/**
 * Waits (bounded) until no ticker room has an alarm pending: a room leaves the tree at the
 * tick after its last socket (support/settle.ts does the same for match rooms and ledgers).
 */
export async function settleTickerRooms(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids = await listDurableObjectIds(env.TICKER_ROOM);
    const alarms = await Promise.all(
      ids.map((id) =>
        runInDurableObject(env.TICKER_ROOM.get(id), (_room, state) => state.storage.getAlarm()),
      ),
    );
    if (alarms.every((a) => a === null)) return;
    if (Date.now() > deadline) throw new Error(`a ticker room still has an alarm after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
