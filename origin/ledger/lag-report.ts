/**
 * The ledger's lag report (`GET /v1/admin/matches/:id/lag`): what its tables say about holes,
 * waits, conflicts and dead letters, the consumer's lag window, and each edge region's offset,
 * with the one-word status that never hides any of them (./ledger-health.ts).
 */
import type { Conflict, Hole, LedgerStatus, WaitingHole } from "../../protocol/admin-types.ts";
import { evaluateLag, type LagEvaluation, type LagSample } from "../lag.ts";
import { type GapWait, waitingHole } from "./gap-wait.ts";
import { ledgerHealth } from "./ledger-health.ts";
import type { EdgeRegion, Gap, LedgerStore } from "./ledger-store.ts";

export interface LedgerLag {
  matchId: string;
  /** OK only when the consumer keeps up and no hole, conflict or dead letter awaits an operator. */
  status: LedgerStatus;
  reason: string;
  receivedSeq: number;
  appliedSeq: number;
  buffered: number;
  /** Every gap the ledger moved past, filled and acknowledged ones included. */
  gaps: Gap[];
  /** The gaps still missing seqs that no operator has acknowledged, with those seqs. */
  holes: Hole[];
  /** Seqs missing over every open hole. */
  unacknowledgedMissing: number;
  /** Dead letters neither replayed nor discarded, of every reason. */
  deadLetters: number;
  /** Of those, events an older build parked beyond a large hole (0 once a ledger has released them). */
  tooFarAhead: number;
  /** The hole the ledger is waiting at, too large to skip, or null. */
  waiting: WaitingHole | null;
  /** Seqs with an open conflict (two bodies, no operator's word yet). */
  conflicts: number;
  /** Each open conflict with both bodies. */
  openConflicts: Conflict[];
  /** Every conflict ever received, resolved ones included. */
  conflictsTotal: number;
  consumer: LagEvaluation & { samples: LagSample[] };
  /** Per edge region: viewers and the newest seq its rooms confirmed (the edge's consumer offset). */
  edge: (EdgeRegion & { lag: number; status: "OK" | "STOPPED" })[];
}

/** Hubs report every few seconds; silence for a minute means the region stopped consuming. */
const EDGE_STOPPED_AFTER_MS = 60_000;

export function lagReport(
  store: LedgerStore,
  at: { matchId: string; cursor: number; buffered: number; wait: GapWait | null; now: number },
  samples: LagSample[],
  regions: readonly EdgeRegion[],
): LedgerLag {
  const { cursor, now } = at;
  const open = store.deadLetters().filter((d) => d.status === "dead");
  const holes = store.openHoles();
  const consumer = evaluateLag(samples, now);
  const waiting = waitingHole(at.wait, cursor, store.nextStoredSeq(cursor), at.buffered);
  const conflicts = openConflicts(store, cursor);
  return {
    matchId: at.matchId,
    ...ledgerHealth(consumer, holes, open.length, { conflictSeqs: conflicts.map((c) => c.seq), waiting }),
    receivedSeq: store.maxSeq(),
    appliedSeq: cursor,
    buffered: at.buffered,
    gaps: store.gaps(),
    holes,
    unacknowledgedMissing: holes.reduce((n, h) => n + h.missing, 0),
    deadLetters: open.length,
    tooFarAhead: open.filter((d) => d.reason === "too far ahead").length,
    waiting,
    conflicts: conflicts.length,
    openConflicts: conflicts,
    conflictsTotal: store.conflictCount(),
    consumer: { ...consumer, samples },
    edge: regions.map((r) => ({
      ...r,
      lag: Math.max(0, cursor - r.confirmedSeq),
      status: now - r.reportedAt > EDGE_STOPPED_AFTER_MS ? "STOPPED" : "OK",
    })),
  };
}

/** Each seq with an open conflict, once, with the body the log holds and the newest that came for it. */
function openConflicts(store: LedgerStore, cursor: number): Conflict[] {
  const bySeq = new Map<number, Conflict>();
  for (const c of store.openConflicts()) {
    const stored = store.eventBody(c.seq);
    bySeq.set(c.seq, {
      seq: c.seq,
      held: c.seq > cursor,
      stored: stored === null ? null : JSON.parse(stored),
      incoming: JSON.parse(c.body),
      receivedAt: c.receivedAt,
    });
  }
  return [...bySeq.values()];
}
