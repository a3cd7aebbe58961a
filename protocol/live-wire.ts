/**
 * The live protocol's constants and the browser's check of a server frame, without zod: the
 * client library and the pages import from here (see protocol/json-schema-check.ts for why),
 * the server from live-messages.ts, which re-exports the constants (live-constants.ts) beside
 * the zod schemas the checks are generated from.
 */
import { readFrame } from "./frame-text.ts";
import { checkAgainst } from "./json-schema-check.ts";
import type { ServerMessage } from "./live-messages.ts";
import { SERVER_MESSAGE_SCHEMA } from "./wire-schemas.generated.ts";

export * from "./live-constants.ts";

export type ParsedServerMessage = { ok: true; message: ServerMessage } | { ok: false; reason: string };

/** Parses one server frame on the client side, with the checks generated from the server's schemas. */
export function parseServerMessage(frame: string): ParsedServerMessage {
  return readFrame(frame, "server", (value) => {
    const verdict = checkAgainst(SERVER_MESSAGE_SCHEMA, value);
    if (!verdict.ok)
      return { ok: false, reason: `unexpected server message: ${verdict.path.slice(1)} ${verdict.problem}` };
    // Checked above against the JSON Schema of serverMessageSchema, which is this type.
    return { ok: true, message: value as ServerMessage };
  });
}
