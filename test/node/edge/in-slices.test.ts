import { describe, expect, it } from "vitest";
import { inSlices, SLICE } from "../../../edge/in-slices.ts";

/**
 * A room's broadcast goes out in slices (edge/in-slices.ts): a room holds at most
 * ROOM_MAX_SOCKETS, 20 in the workerd tier, so more than a slice of sockets is only reachable
 * here. The workerd side (every socket of several rooms gets each version, attachments read
 * once per wake-up) is test/workerd/room-contract.test.ts, for every feed.
 */
describe("a broadcast in slices", () => {
  it("serves every item once, in order, and lets the rest of the isolate run between slices", async () => {
    const items = Array.from({ length: 3 * SLICE + 7 }, (_, i) => i);
    const served: number[] = [];
    // A timer due at once (an ingest's acknowledgement, a join): how far the broadcast had got each time it ran.
    const waited: number[] = [];
    const other = () => {
      waited.push(served.length);
      if (waited.length < 3) setTimeout(other, 0);
    };
    setTimeout(other, 0);
    await inSlices(items, (item) => {
      served.push(item);
    });
    expect(served).toEqual(items);
    expect(waited).toEqual([SLICE, 2 * SLICE, 3 * SLICE]);
  });

  it("waits for each item that sends asynchronously before the next, and never yields within a slice", async () => {
    const served: number[] = [];
    let inFlight = 0;
    let ranBetween = false;
    setTimeout(() => {
      ranBetween = true;
    }, 0);
    await inSlices(
      Array.from({ length: SLICE }, (_, i) => i),
      async (item) => {
        expect(inFlight).toBe(0);
        inFlight++;
        await Promise.resolve();
        served.push(item);
        inFlight--;
      },
    );
    expect(served).toHaveLength(SLICE);
    // One slice is one turn: a timer due meanwhile waits until the slice is done.
    expect(ranBetween).toBe(false);
  });
});
