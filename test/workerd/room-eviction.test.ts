import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { roomName } from "../../edge/fanout-tree.ts";
import { SnapshotCache } from "../../edge/snapshot-cache.ts";
import { SocketBook } from "../../edge/socket-book.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { ingestEvents, matchState } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

afterEach(() => TestViewer.closeAll());
// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/**
 * What hibernation erases is a room's memory: its instance fields (the match state it holds,
 * the viewer count, its queue, its admission bucket), never its storage or its sockets. The
 * pinned test pool (@cloudflare/vitest-pool-workers 0.15.1, built on wrangler 4.86) has no
 * `evictDurableObject`, and `abortAllDurableObjects` is a crash (it drops the sockets too), so
 * this test erases the memory itself: every instance field goes back to what a freshly woken
 * object has. Viewers must keep receiving every version, in order, without reconnecting, and a
 * viewer joining afterwards must get the right state.
 */
async function forget(matchId: string, region: string, shard: number, heldState = true): Promise<void> {
  const stub = env.MATCH_ROOM.get(env.MATCH_ROOM.idFromName(roomName(matchId, region, shard)));
  await runInDurableObject(stub, (instance) => {
    const memory = instance as unknown as {
      state: unknown;
      viewers: unknown;
      queue: Promise<unknown>;
      book: unknown;
      snapshots: unknown;
    };
    if (heldState) expect(memory.state).not.toBeNull(); // it held the state: there is something to lose
    memory.state = null;
    memory.viewers = null;
    memory.queue = Promise.resolve();
    // What it remembered of each socket's attachment, and its serialised snapshot.
    memory.book = new SocketBook();
    memory.snapshots = new SnapshotCache();
  });
}

describe("a room that loses its memory (hibernation)", () => {
  it("keeps delivering to the sockets it holds and through the children it holds", async () => {
    // Rooms hold 20 sockets in tests (ROOM_MAX_SOCKETS): 30 viewers make a hub with a child.
    const matchId = "evict-room";
    const events = fixtureEvents("1216517", matchId).slice(0, 40);
    await ingestEvents(events.slice(0, 10));
    const viewers: TestViewer[] = [];
    for (let i = 0; i < 30; i++)
      viewers.push(await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`));
    await Promise.all(viewers.map((v) => v.waitForSeq(10)));

    await forget(matchId, "weur", 0); // the hub, which holds sockets and a child
    // The child shard: it holds the state only if its own viewers needed a snapshot from it.
    await forget(matchId, "weur", 1, false);
    await ingestEvents(events.slice(10, 25));
    await Promise.all(viewers.map((v) => v.waitForSeq(25, 15_000)));

    await forget(matchId, "weur", 0, false);
    const late = await TestViewer.connect(`/v1/matches/${matchId}/ws?region=weur`);
    await late.waitForSeq(25);
    await ingestEvents(events.slice(25, 40));
    await Promise.all([...viewers, late].map((v) => v.waitForSeq(40, 15_000)));

    const final = (await matchState(matchId)).state;
    for (const v of [...viewers, late]) {
      expect(v.closed).toBeNull();
      expect(v.errors).toEqual([]);
      expect(v.state).toEqual(final);
    }
  });
});
