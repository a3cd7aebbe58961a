import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { beyondBufferMessage, decideAtGapTimeout } from "../../../origin/ledger/gap-policy.ts";

describe("decideAtGapTimeout", () => {
  it("does nothing with nothing buffered, or with the next seq already there", () => {
    expect(decideAtGapTimeout(4, null, 100)).toEqual({ kind: "none" });
    expect(decideAtGapTimeout(4, 5, 100)).toEqual({ kind: "none" });
  });

  it("skips a hole of at most maxSkip seqs", () => {
    expect(decideAtGapTimeout(4, 6, 100)).toEqual({ kind: "skip", fromSeq: 5, toSeq: 5 });
    expect(decideAtGapTimeout(4, 105, 100)).toEqual({ kind: "skip", fromSeq: 5, toSeq: 104 });
  });

  it("waits at a larger hole (a batch still on its way) instead of parking what is behind it", () => {
    expect(decideAtGapTimeout(4, 106, 100)).toEqual({ kind: "wait", fromSeq: 5, toSeq: 105 });
    expect(decideAtGapTimeout(150, 300, 100)).toEqual({ kind: "wait", fromSeq: 151, toSeq: 299 });
  });

  it("with maxSkip 0 never moves past a missing seq", () => {
    expect(decideAtGapTimeout(0, 2, 0)).toEqual({ kind: "wait", fromSeq: 1, toSeq: 1 });
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
          expect(decision.kind).toBe(ahead - 1 <= maxSkip ? "skip" : "wait");
        },
      ),
    );
  });
});

describe("beyondBufferMessage", () => {
  it("names the seq, the cursor, the limit and what to send first", () => {
    const message = beyondBufferMessage(10_200, 150, 10_000);
    expect(message).toMatch(/seq 10200/);
    expect(message).toMatch(/more than 10000 ahead/);
    expect(message).toMatch(/applied through 150/);
    expect(message).toMatch(/LEDGER_MAX_AHEAD/);
    expect(message).toMatch(/seqs after 150 first/);
  });
});
