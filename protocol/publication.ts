/**
 * The contract between the ledger and the edge: what the ledger publishes down the
 * publication tree after a write, what a room keeps in its ring, and what a pull for missed
 * versions answers. Both stages import it from here; neither imports the other.
 */
import type { JsonValue, PatchOperation } from "./live-messages.ts";
import type { Moment } from "./moments.ts";

/** One published version: the patch from `prev` to `seq`, in both wire formats. */
export interface PublishedPatch {
  seq: number;
  prev: number;
  ops: PatchOperation[];
  /** The fossil delta (base64) between the canonical texts, for `format=fossil` viewers. */
  delta: string;
}

/**
 * A new version (a patch on the previous one) or a new history (the whole state, a new epoch).
 * `moments`: what the version announced (retractions included), in order, for the rooms'
 * `moment` messages; absent when it announced none. Not kept in the rooms' ring or the pull
 * path: a viewer who missed them reads `GET /v1/matches/:id/moments`.
 */
export type Publication =
  | ({ kind: "patch"; matchId: string; epoch: string; moments?: Moment[] } & PublishedPatch)
  | { kind: "reset"; matchId: string; epoch: string; seq: number; state: JsonValue; moments?: Moment[] };

/** A pull's answer: the patches that close a hole, or the state when they cannot. */
export type ResumeAnswer =
  | { kind: "patches"; epoch: string; seq: number; patches: PublishedPatch[] }
  | { kind: "snapshot"; epoch: string; seq: number; state: JsonValue };
