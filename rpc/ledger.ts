/**
 * The ledger of a match (durable-objects/match-ledger.ts): what it answers over RPC, and its stub.
 * The match id is the partition key; the location hint keeps every ledger (the writers) in one
 * central region, whichever edge asked first.
 */
import { readConfig } from "../config/crease-config.ts";
import type { LedgerLag } from "../origin/ledger/lag-report.ts";
import type {
  AcknowledgeGapResult,
  DiscardBufferedResult,
  IngestOutcome,
  ReplayResult,
  ResolveConflictResult,
} from "../origin/ledger/sequencer.ts";
import type { DeadLetter } from "../protocol/admin-types.ts";
import type { ResumeAnswer } from "../protocol/publication.ts";
import type { MatchState, Moment, ProviderEvent } from "../scoring/index.ts";
import type { TreeParent, Upstream } from "./fanout.ts";
import { typedStub } from "./typed-stub.ts";

export interface MatchSnapshot {
  matchId: string;
  epoch: string;
  seq: number;
  state: MatchState;
}

export type { LedgerLag } from "../origin/ledger/lag-report.ts";

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

/** A region's hub hangs from its match's ledger: registered, it gets one publication per version. */
export function ledgerTreeRoot(env: Env, matchId: string, region: string): TreeParent {
  const ledger = ledgerStub(env, matchId);
  return {
    join: async () => {
      await ledger.registerRegion(matchId, region);
      return null;
    },
    report: (viewers, head) => ledger.reportRegion(matchId, region, viewers, head.seq),
    leave: () => ledger.unregisterRegion(matchId, region),
  };
}
