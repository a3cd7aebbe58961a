import jsonPatch from "fast-json-patch";
import { continuousChain } from "../../protocol/continuity.ts";
import type { PatchOperation } from "../../protocol/live-messages.ts";
import type { Publication, PublishedPatch } from "../../protocol/publication.ts";
import { createStateDelta, stateText } from "../../protocol/state-delta.ts";
import { stateAsJson } from "../../protocol/state-json.ts";
import type { MatchState } from "../../scoring/index.ts";
import type { LedgerStore } from "./ledger-store.ts";

/** A published patch whose fossil delta is still to be computed (see `completeDelta`). */
const PENDING_DELTA = "";

/** Resumes longer than this many versions are cheaper as a snapshot. */
const MAX_RESUME_VERSIONS = 500;

/**
 * Turns each new ledger version into the message the edge receives, and keeps the chain of
 * published patches so any viewer can resume from any version of the current epoch (the
 * ledger's log is the backstop behind the rooms' short ring buffers).
 *
 * A version is the ledger's cursor. A patch goes from the state last published to the state
 * now, so it stays right even when a late event rewrote history before it. The one thing a
 * patch cannot say is "same version, different state" (a late event that filled a gap without
 * moving the cursor): that starts a new epoch, and the edge gets the whole state.
 */
export class Publisher {
  /** The canonical text of the last published state: half of each delta's work, done once. */
  private lastText: { seq: number; text: string } | null = null;

  constructor(private readonly store: LedgerStore) {}

  epoch(): string {
    return this.store.getMeta("epoch") ?? "0";
  }

  /**
   * Runs inside the write transaction, so the published chain and the log never disagree. Only
   * the JSON Patch is computed here (a fraction of a millisecond); the fossil delta, the costly
   * half (canonical texts of the whole state and a diff of them: 5 ms for a T20, 35 ms for a
   * Test), is left for {@link completeDelta} after the provider has its acknowledgement.
   */
  record(
    matchId: string,
    before: { seq: number; state: MatchState },
    after: MatchState,
    cursor: number,
  ): Publication | null {
    // compare() only ever emits add/remove/replace with JSON values taken from the states.
    const ops = jsonPatch.compare(before.state, after) as PatchOperation[];
    if (cursor === before.seq) {
      if (ops.length === 0) return null;
      const epoch = newEpoch();
      this.store.setMeta("epoch", epoch);
      this.store.clearPublished();
      this.lastText = null; // the same seq now names another state
      return { kind: "reset", matchId, epoch, seq: cursor, state: stateAsJson(after) };
    }
    const patch = { seq: cursor, prev: before.seq, ops, delta: PENDING_DELTA };
    this.store.putPublished(patch);
    return { kind: "patch", matchId, epoch: this.epoch(), ...patch };
  }

  /**
   * The fossil delta of a version `record` published, computed once for every viewer who asked
   * for byte-level deltas (never per room) and stored beside its patch. Called in publication
   * order, after the commit: the text of each state is the next one's starting point.
   */
  completeDelta(publication: Publication, before: MatchState, after: MatchState): Publication {
    if (publication.kind !== "patch") return publication;
    const beforeText = this.lastText?.seq === publication.prev ? this.lastText.text : stateText(before);
    const afterText = stateText(after);
    this.lastText = { seq: publication.seq, text: afterText };
    const delta = createStateDelta(beforeText, afterText);
    this.store.setPublishedDelta(publication.seq, delta);
    return { ...publication, delta };
  }

  /**
   * The published patches that take a viewer from `since` (of `epoch`) to the newest version,
   * or null when only a snapshot can: another epoch, a version never published, or too far back.
   */
  patchesSince(epoch: string, since: number, head: number): PublishedPatch[] | null {
    if (epoch !== this.epoch() || since > head) return null;
    if (since === head) return [];
    const rows = this.store.publishedAfter(since, MAX_RESUME_VERSIONS + 1);
    if (rows.length > MAX_RESUME_VERSIONS) return null;
    // A delta never completed (the object died between the commit and its completion): the
    // chain cannot serve every format, so the viewer gets a snapshot.
    const chain = continuousChain(since, head, rows);
    return chain?.some((r) => r.delta === PENDING_DELTA) ? null : chain;
  }
}

export function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}
