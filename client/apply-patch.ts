/// <reference path="./fast-json-patch-core.d.ts" />
/**
 * Applies one RFC 6902 patch with fast-json-patch. Its core module alone: the package's index
 * also carries `compare` and `observe`, which only the server uses, and a browser would
 * download them for nothing (the default import defeats tree-shaking).
 */
import { applyPatch as applyOperations } from "fast-json-patch/module/core.mjs";
import type { PatchOperation } from "../protocol/live-messages.ts";

/**
 * Returns the document after `ops`, leaving `document` untouched (it may already be in a
 * listener's hands). Throws when an operation does not fit the document: a failed `test`, or
 * a path that does not exist, which means this copy has drifted from the server's.
 */
export function applyPatch(document: unknown, ops: PatchOperation[]): unknown {
  // validate = true: refuse to "replace" a path that is not there instead of quietly
  // inventing it, so drift surfaces as an error and a resync rather than a wrong scorecard.
  return applyOperations(document, ops, true, false).newDocument;
}
