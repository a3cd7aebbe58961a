import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideAtGapTimeout, tooFarAheadMessage, withinReach } from "../../../origin/ledger/gap-policy.ts";

describe("decideAtGapTimeout", () => {
  it("does nothing with nothing buffered, or with the next seq already there", () => {
    expect(decideAtGapTimeout(4, null, 100)).toEqual({ kind: "none" });
    expect(decideAtGapTimeout(4, 5, 100)).toEqual({ kind: "none" });
  });

  it("skips a hole of at most maxSkip seqs", () => {
    expect(decideAtGapTimeout(4, 6, 100)).toEqual({ kind: "skip", fromSeq: 5, toSeq: 5 });
    expect(decideAtGapTimeout(4, 105, 100)).toEqual({ kind: "skip", fromSeq: 5, toSeq: 104 });
  });

  it("parks what waits beyond a larger hole: the finding's 9005 for 5", () => {
    expect(decideAtGapTimeout(4, 106, 100)).toEqual({ kind: "park", fromSeq: 5, toSeq: 105 });
    expect(decideAtGapTimeout(4, 9005, 100)).toEqual({ kind: "park", fromSeq: 5, toSeq: 9004 });
  });

  it("with maxSkip 0 never moves past a missing seq", () => {
    expect(decideAtGapTimeout(0, 2, 0)).toEqual({ kind: "park", fromSeq: 1, toSeq: 1 });
  });

  it("always names the hole right after the cursor, and skips exactly when it is small enough", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.integer({ min: 2, max: 20_000 }),
        fc.nat(1000),
        (cursor, ahead, maxSkip) => {
          const decision = decideAtGapTimeout(cursor, cursor + ahead, maxSkip);
          if (decision.kind === "none") throw new Error("a hole was there");
          expect(decision.fromSeq).toBe(cursor + 1);
          expect(decision.toSeq).toBe(cursor + ahead - 1);
          const missing = ahead - 1;
          expect(decision.kind).toBe(missing <= maxSkip ? "skip" : "park");
          // A parked event is exactly one that one timeout could not reach.
          expect(withinReach(cursor + ahead, cursor, maxSkip)).toBe(decision.kind === "skip");
        },
      ),
    );
  });
});

describe("withinReach", () => {
  it("is the next seq and up to maxSkip missing seqs beyond it", () => {
    expect(withinReach(5, 4, 0)).toBe(true);
    expect(withinReach(6, 4, 0)).toBe(false);
    expect(withinReach(105, 4, 100)).toBe(true);
    expect(withinReach(106, 4, 100)).toBe(false);
    expect(withinReach(3, 4, 100)).toBe(true);
  });
});

describe("tooFarAheadMessage", () => {
  it("names the seq, the hole and the limit", () => {
    const message = tooFarAheadMessage(9005, { fromSeq: 5, toSeq: 9004 }, 100);
    expect(message).toMatch(/seq 9005/);
    expect(message).toMatch(/9000 missing seqs \(5\.\.9004\)/);
    expect(message).toMatch(/100.*LEDGER_MAX_SKIP/);
  });
});
