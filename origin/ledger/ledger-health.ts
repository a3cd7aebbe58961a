/**
 * Whether a ledger is "OK": pure functions over what its tables say. A skipped gap is never
 * OK while it is still missing seqs that no operator has acknowledged, whatever the
 * consumer's speed: "caught up" with a hole in the history is not caught up.
 */
import type { Hole, LedgerStatus, WaitingHole } from "../../protocol/admin-types.ts";
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

/** What else the status reads beyond holes and dead letters: open conflicts' seqs and the hole being waited at. */
export interface HealthExtras {
  conflictSeqs?: readonly number[];
  waiting?: WaitingHole | null;
}

/**
 * The one-word status: an open conflict says so first (the score may be wrong, or held); then a
 * consumer that is behind, stalled or stopped (the more urgent fault); otherwise open holes, a
 * hole being waited at, or open dead letters make it INCOMPLETE. OK never hides any of them.
 */
export function ledgerHealth(
  consumer: Pick<LagEvaluation, "status" | "reason">,
  holes: readonly Hole[],
  openDeadLetters: number,
  extras: HealthExtras = {},
): { status: LedgerStatus; reason: string } {
  const conflictSeqs = [...new Set(extras.conflictSeqs ?? [])];
  if (conflictSeqs.length > 0) {
    const n = conflictSeqs.length;
    return {
      status: "CONFLICT",
      reason:
        `${n} seq${n === 1 ? "" : "s"} received with two different bodies (${conflictSeqs.join(", ")}); ` +
        "keep one (POST …/conflicts/SEQ/resolve) and the match goes on.",
    };
  }
  if (consumer.status !== "OK") return { status: consumer.status, reason: consumer.reason };
  const waiting = extras.waiting ?? null;
  if (holes.length === 0 && openDeadLetters === 0 && waiting === null)
    return { status: "OK", reason: consumer.reason };
  const parts: string[] = [];
  if (waiting !== null) {
    const range =
      waiting.fromSeq === waiting.toSeq ? `${waiting.fromSeq}` : `${waiting.fromSeq}..${waiting.toSeq}`;
    parts.push(
      `waiting for ${waiting.missing} missing seq${waiting.missing === 1 ? "" : "s"} (${range}) with ` +
        `${waiting.buffered} buffered behind them; they are applied once it is filled`,
    );
  }
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
