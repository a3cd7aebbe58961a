/**
 * The deployment's match directory (durable-objects/match-index.ts): one object, the list behind
 * `GET /v1/matches` and the ticker's source (the root of the ticker's tree). It sits in the
 * central region, beside the ledgers that report to it.
 */
import { readConfig } from "../config/crease-config.ts";
import type { MatchSummary } from "../protocol/admin-types.ts";
import type { TickerPublication } from "../protocol/ticker.ts";
import type { TreeParent } from "./fanout.ts";
import { typedStub } from "./typed-stub.ts";

/** The ticker position a parent holds: a child behind it pulls (a lost publication heals at the next tick). */
export interface TickerHeadAnswer {
  epoch: string | null;
  seq: number;
}

/** The match index's side of the ticker. */
export interface TickerSourceRpc {
  /** The changes after `since` of `epoch` when its log reaches back, else every headline. */
  tickerSince(epoch: string | null, since: number): Promise<TickerPublication>;
  /** A region hub joins (or, every presence tick, stays in) the ticker tree; answers the ticker's head. */
  joinTicker(region: string): Promise<TickerHeadAnswer>;
  leaveTicker(region: string): Promise<void>;
}

/** The directory of matches behind `GET /v1/matches`, and the ticker's source. */
export interface MatchIndexRpc extends TickerSourceRpc {
  upsert(summary: MatchSummary): Promise<void>;
  /** Whether a match exists: one primary-key lookup. */
  has(matchId: string): Promise<boolean>;
  /** Removes a match from the directory (the admin's "remove a match"). */
  remove(matchId: string): Promise<void>;
  list(): Promise<(MatchSummary & { updatedAt: number })[]>;
}

export function matchIndexStub(env: Env): MatchIndexRpc {
  return typedStub<MatchIndexRpc>(env.MATCH_INDEX, "all", readConfig(env).ledger.locationHint);
}

/** A region's ticker hub hangs from the match index, the ticker's source; its answer is the ticker's head. */
export function tickerTreeRoot(env: Env, region: string): TreeParent {
  const index = matchIndexStub(env);
  const head = async () => {
    const answer = await index.joinTicker(region);
    return { viewers: 0, seq: answer.seq, epoch: answer.epoch };
  };
  return { join: head, report: head, leave: () => index.leaveTicker(region) };
}
