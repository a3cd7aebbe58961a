/**
 * Whether a ledger is "OK": pure functions over what its tables say. A skipped gap is never
 * OK while it is still missing seqs that no operator has acknowledged, whatever the
 * consumer's speed: "caught up" with a hole in the history is not caught up.
 */
import type { Hole, LedgerStatus } from "../../protocol/admin-types.ts";
import type { LagEvaluation } from "../lag.ts";

/** How many missing seqs one hole lists (the count is always exact). */
export const HOLE_SEQS_LISTED = 100;

/** A gap the ledger moved past, as its table records it. */
export interface GapRecord {
  fromSeq: number;
  toSeq: number;
  skippedAt: number;
  acknowledgedAt: number | null;
}

/**
 * The hole a gap still is: its seqs minus those that arrived late, or null when it is filled
 * or acknowledged. `present` are the seqs of [fromSeq, toSeq] the log now holds, in any order.
 */
export function openHole(gap: GapRecord, present: readonly number[]): Hole | null {
  if (gap.acknowledgedAt !== null) return null;
  const have = new Set(present);
  const missingSeqs: number[] = [];
  let missing = 0;
  for (let seq = gap.fromSeq; seq <= gap.toSeq; seq++) {
    if (have.has(seq)) continue;
    missing++;
    if (missingSeqs.length < HOLE_SEQS_LISTED) missingSeqs.push(seq);
  }
  if (missing === 0) return null;
  return { fromSeq: gap.fromSeq, toSeq: gap.toSeq, skippedAt: gap.skippedAt, missing, missingSeqs };
}

/**
 * The one-word status: a consumer that is behind, stalled or stopped says so first (it is
 * the more urgent fault); otherwise open holes or open dead letters make it INCOMPLETE.
 */
export function ledgerHealth(
  consumer: Pick<LagEvaluation, "status" | "reason">,
  holes: readonly Hole[],
  openDeadLetters: number,
): { status: LedgerStatus; reason: string } {
  if (consumer.status !== "OK") return { status: consumer.status, reason: consumer.reason };
  if (holes.length === 0 && openDeadLetters === 0) return { status: "OK", reason: consumer.reason };
  const parts: string[] = [];
  if (holes.length > 0) {
    const missing = holes.reduce((n, h) => n + h.missing, 0);
    const ranges = holes.map((h) => (h.fromSeq === h.toSeq ? `${h.fromSeq}` : `${h.fromSeq}..${h.toSeq}`));
    parts.push(
      `${missing} skipped seq${missing === 1 ? "" : "s"} still missing (${ranges.join(", ")}); ` +
        "acknowledge a hole once it will not be filled",
    );
  }
  if (openDeadLetters > 0) {
    parts.push(`${openDeadLetters} dead letter${openDeadLetters === 1 ? "" : "s"} to replay or discard`);
  }
  return { status: "INCOMPLETE", reason: `${parts.join("; ")}.` };
}
