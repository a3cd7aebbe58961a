/**
 * Applies one RFC 6902 patch with fast-json-patch. The package ships CommonJS as its `main`
 * and ESM only behind a non-standard `module` field, so Node's ESM loader sees no named
 * exports; the default import is the one shape that works under Node and bundlers alike.
 */
import jsonPatch from "fast-json-patch";
import type { PatchOperation } from "../protocol/live-messages.ts";

/**
 * Returns the document after `ops`, leaving `document` untouched (it may already be in a
 * listener's hands). Throws when an operation does not fit the document: a failed `test`, or
 * a path that does not exist, which means this copy has drifted from the server's.
 */
export function applyPatch(document: unknown, ops: PatchOperation[]): unknown {
  // validate = true: refuse to "replace" a path that is not there instead of quietly
  // inventing it, so drift surfaces as an error and a resync rather than a wrong scorecard.
  return jsonPatch.applyPatch(document, ops, true, false).newDocument;
}
