/**
 * Coalescing as the index runs it (a flush after each write for that match, and the alarm at
 * the next due time for all), simulated over random write times: updates of one match are at
 * least the interval apart, every write's headline (or a newer one) goes out no later than
 * one interval after the previous send, and the last write is never lost.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Pacing, planFlush } from "../../../edge/ticker-coalesce.ts";

const INTERVAL = 1000;

interface Sent {
  matchId: string;
  at: number;
  /** The newest write it carries (the index reads the newest summary when it sends). */
  write: number;
}

function simulate(writes: { matchId: string; at: number }[]): Sent[] {
  const pacing = new Map<string, Pacing & { newest: number }>();
  const sent: Sent[] = [];
  let alarm: number | null = null;
  const flush = (now: number, only?: string) => {
    const rows = [...pacing.values()].filter((p) => only === undefined || p.matchId === only);
    const plan = planFlush(rows, now, INTERVAL);
    for (const id of plan.due) {
      const p = pacing.get(id);
      if (!p) continue;
      sent.push({ matchId: id, at: now, write: p.newest });
      p.sentAt = now;
      p.pending = false;
    }
    if (plan.nextAt !== null && (alarm === null || alarm > plan.nextAt)) alarm = plan.nextAt;
  };
  const ordered = [...writes].sort((a, b) => a.at - b.at);
  for (const [i, w] of ordered.entries()) {
    while (alarm !== null && alarm <= w.at) {
      const at: number = alarm;
      alarm = null;
      flush(at);
    }
    const p = pacing.get(w.matchId) ?? { matchId: w.matchId, sentAt: null, pending: false, newest: -1 };
    p.pending = true;
    p.newest = i;
    pacing.set(w.matchId, p);
    flush(w.at, w.matchId);
  }
  while (alarm !== null) {
    const at: number = alarm;
    alarm = null;
    flush(at);
  }
  return sent;
}

const writesArb = fc.array(
  fc.record({ matchId: fc.constantFrom("a", "b", "c"), at: fc.integer({ min: 0, max: 10_000 }) }),
  { minLength: 1, maxLength: 60 },
);

describe("coalescing over time", () => {
  it("spaces one match's updates by the interval and never loses its last write", () => {
    fc.assert(
      fc.property(writesArb, (writes) => {
        const sent = simulate(writes);
        const ordered = [...writes].sort((a, b) => a.at - b.at);
        for (const id of ["a", "b", "c"]) {
          const mine = sent.filter((s) => s.matchId === id);
          for (let k = 1; k < mine.length; k++)
            expect((mine[k]?.at ?? 0) - (mine[k - 1]?.at ?? 0)).toBeGreaterThanOrEqual(INTERVAL);
          const last = ordered
            .map((w, i) => ({ ...w, i }))
            .filter((w) => w.matchId === id)
            .at(-1);
          if (!last) continue;
          // The last write goes out, at most one interval after it.
          const carrying = mine.find((s) => s.write === last.i);
          expect(carrying, `match ${id}'s last write`).toBeDefined();
          expect((carrying?.at ?? 0) - last.at).toBeLessThanOrEqual(INTERVAL);
        }
        // Every write is carried by a send no later than one interval after it (itself or a newer one).
        for (const [i, w] of ordered.entries()) {
          const by = sent.find((s) => s.matchId === w.matchId && s.write >= i);
          expect(by).toBeDefined();
          expect((by?.at ?? 0) - w.at).toBeLessThanOrEqual(INTERVAL);
        }
      }),
      { numRuns: 500, seed: 14 },
    );
  });

  it("sends a write to a quiet match at once", () => {
    expect(simulate([{ matchId: "a", at: 5000 }])).toEqual([{ matchId: "a", at: 5000, write: 0 }]);
  });
});
