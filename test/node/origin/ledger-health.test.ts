import { describe, expect, it } from "vitest";
import { HOLE_SEQS_LISTED, ledgerHealth, openHole } from "../../../origin/ledger/ledger-health.ts";

const gap = (fromSeq: number, toSeq: number, acknowledgedAt: number | null = null) => ({
  fromSeq,
  toSeq,
  skippedAt: 1000,
  acknowledgedAt,
});
const ok = { status: "OK" as const, reason: "The consumer is caught up." };

describe("openHole", () => {
  it("lists the seqs a gap still misses", () => {
    expect(openHole(gap(5, 9), [6, 8])).toEqual({
      fromSeq: 5,
      toSeq: 9,
      skippedAt: 1000,
      missing: 3,
      missingSeqs: [5, 7, 9],
    });
  });

  it("is no hole once filled or acknowledged", () => {
    expect(openHole(gap(5, 6), [5, 6])).toBeNull();
    expect(openHole(gap(5, 6, 2000), [])).toBeNull();
  });

  it("counts every missing seq but lists at most the first HOLE_SEQS_LISTED", () => {
    const hole = openHole(gap(1, 5000), [2]);
    expect(hole?.missing).toBe(4999);
    expect(hole?.missingSeqs).toHaveLength(HOLE_SEQS_LISTED);
    expect(hole?.missingSeqs.slice(0, 3)).toEqual([1, 3, 4]);
  });
});

describe("ledgerHealth", () => {
  it("is OK only with a keeping-up consumer, no open hole and no open dead letter", () => {
    expect(ledgerHealth(ok, [], 0)).toEqual(ok);
  });

  it("is never OK while a skipped gap is missing seqs nobody acknowledged", () => {
    const hole = openHole(gap(5, 5), []);
    if (!hole) throw new Error("expected a hole");
    const health = ledgerHealth(ok, [hole], 0);
    expect(health.status).toBe("INCOMPLETE");
    expect(health.reason).toMatch(/1 skipped seq still missing \(5\)/);
  });

  it("is INCOMPLETE with open dead letters, naming them", () => {
    expect(ledgerHealth(ok, [], 2)).toMatchObject({
      status: "INCOMPLETE",
      reason: expect.stringMatching(/2 dead letters/),
    });
  });

  it("says a consumer fault first: it is the more urgent one", () => {
    const hole = openHole(gap(5, 7), []);
    if (!hole) throw new Error("expected a hole");
    expect(ledgerHealth({ status: "STALLED", reason: "stuck" }, [hole], 1)).toEqual({
      status: "STALLED",
      reason: "stuck",
    });
  });
});
