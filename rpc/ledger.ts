/**
 * The ledger of a match (durable-objects/match-ledger.ts): what it answers over RPC, and its stub.
 * The match id is the partition key; the location hint keeps every ledger (the writers) in one
 * central region, whichever edge asked first.
 */
import { readConfig } from "../config/crease-config.ts";
import type { LagEvaluation, LagSample } from "../origin/lag.ts";
import type { EdgeRegion, Gap } from "../origin/ledger/ledger-store.ts";
import type {
  AcknowledgeGapResult,
  DiscardBufferedResult,
  IngestOutcome,
  ReplayResult,
  ResolveConflictResult,
} from "../origin/ledger/sequencer.ts";
import type { Conflict, DeadLetter, Hole, LedgerStatus, WaitingHole } from "../protocol/admin-types.ts";
import type { ResumeAnswer } from "../protocol/publication.ts";
import type { MatchState, Moment, ProviderEvent } from "../scoring/index.ts";
import type { Upstream } from "./fanout.ts";
import { typedStub } from "./typed-stub.ts";

export interface MatchSnapshot {
  matchId: string;
  epoch: string;
  seq: number;
  state: MatchState;
}

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

/** What a dead letter's replay did; `found: false` (and the rest empty) when there was none. */
export interface ReplayAnswer {
  found: boolean;
  applied: boolean;
  result: ReplayResult | null;
  deadLetter: DeadLetter | null;
}

/** The single writer of one match. */
export interface LedgerRpc {
  /** Stores and applies a batch for this match; resolves only once it is durable. */
  ingest(matchId: string, events: ProviderEvent[]): Promise<IngestOutcome[]>;
  registerRegion(matchId: string, region: string): Promise<void>;
  unregisterRegion(matchId: string, region: string): Promise<void>;
  reportRegion(matchId: string, region: string, viewers: number, confirmedSeq: number): Promise<Upstream>;
  forgetEdge(): Promise<{ forgotten: number }>;
  resume(matchId: string, epoch: string, since: number): Promise<ResumeAnswer | null>;
  snapshot(at?: number): Promise<MatchSnapshot | null>;
  events(after: number, limit: number): Promise<{ events: ProviderEvent[]; next: number | null }>;
  /** Announced moments with seq > after, in order, at most `limit` (a seq's are never split); null for an unknown match. */
  momentsAfter(after: number, limit: number): Promise<Moment[] | null>;
  lagReport(): Promise<LedgerLag | null>;
  deadLetters(): Promise<DeadLetter[]>;
  replayDeadLetter(seq: number): Promise<ReplayAnswer>;
  discardDeadLetter(seq: number): Promise<{ found: boolean }>;
  /** Takes an event out of the buffer; null for an unknown match. */
  discardBuffered(seq: number): Promise<DiscardBufferedResult | null>;
  /** Stops a skipped gap counting as an open hole; null for an unknown match. */
  acknowledgeGap(fromSeq: number): Promise<AcknowledgeGapResult | null>;
  /** Keeps one side of the conflict at `seq` and lets the match go on; null for an unknown match. */
  resolveConflict(seq: number, keep: "stored" | "incoming"): Promise<ResolveConflictResult | null>;
  /** Removes the match's whole log and state; answers the regions that had rooms. */
  remove(): Promise<{ removed: boolean; regions: string[] }>;
}

export function ledgerStub(env: Env, matchId: string): LedgerRpc {
  return typedStub<LedgerRpc>(env.MATCH_LEDGER, matchId, readConfig(env).ledger.locationHint);
}
