import { describe, expect, it } from "vitest";
import {
  gapTimeoutDue,
  nextGapWait,
  readGapWait,
  waitingHole,
  writeGapWait,
} from "../../../origin/ledger/gap-wait.ts";

describe("the gap timeout's clock", () => {
  it("round-trips through its stored text, and an unreadable or empty text is no wait", () => {
    for (const wait of [
      { cursor: 150, since: 1_000, decided: false },
      { cursor: 150, since: 1_000, decided: true },
    ])
      expect(readGapWait(writeGapWait(wait))).toEqual(wait);
    expect(readGapWait("")).toBeNull();
    expect(readGapWait(null)).toBeNull();
    expect(readGapWait("x:y")).toBeNull();
    expect(writeGapWait(null)).toBe("");
  });

  it("a new cursor with events buffered starts a full wait; the same cursor keeps its wait, timed until decided", () => {
    const fresh = nextGapWait(null, 150, 346, 1_000, 300);
    expect(fresh).toEqual({ wait: { cursor: 150, since: 1_000, decided: false }, alarmAt: 1_300 });
    const same = nextGapWait(fresh.wait, 150, 346, 1_200, 300);
    expect(same.wait).toBe(fresh.wait);
    expect(same.alarmAt).toBe(1_300);
    // Decided (a hole too large to skip): no alarm until the cursor moves.
    const decided = { cursor: 150, since: 1_000, decided: true };
    expect(nextGapWait(decided, 150, 346, 5_000, 300)).toEqual({ wait: decided, alarmAt: null });
    expect(nextGapWait(decided, 299, 0, 5_000, 300)).toEqual({ wait: null, alarmAt: null });
    expect(nextGapWait(decided, 160, 3, 5_000, 300).wait).toEqual({
      cursor: 160,
      since: 5_000,
      decided: false,
    });
  });

  it("is due once, at its cursor, after the timeout", () => {
    const wait = { cursor: 150, since: 1_000, decided: false };
    expect(gapTimeoutDue(wait, 150, 1_299, 300)).toBe(false);
    expect(gapTimeoutDue(wait, 150, 1_300, 300)).toBe(true);
    expect(gapTimeoutDue(wait, 151, 1_300, 300)).toBe(false);
    expect(gapTimeoutDue({ ...wait, decided: true }, 150, 9_000, 300)).toBe(false);
    expect(gapTimeoutDue(null, 150, 9_000, 300)).toBe(false);
  });

  it("names the hole being waited at, only once the timeout decided to wait", () => {
    const decided = { cursor: 150, since: 1_000, decided: true };
    expect(waitingHole(decided, 150, 300, 346)).toEqual({
      fromSeq: 151,
      toSeq: 299,
      missing: 149,
      buffered: 346,
      since: 1_000,
    });
    expect(waitingHole({ ...decided, decided: false }, 150, 300, 346)).toBeNull();
    expect(waitingHole(decided, 150, 151, 346)).toBeNull(); // held by a conflict, not a hole
    expect(waitingHole(decided, 150, null, 0)).toBeNull();
  });
});
