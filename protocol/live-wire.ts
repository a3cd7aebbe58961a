/**
 * The live protocol's constants and the browser's check of a server frame, without zod: the
 * client library and the pages import from here (see protocol/json-schema-check.ts for why),
 * the server from live-messages.ts, which re-exports all of it beside the zod schemas the
 * checks are generated from.
 */
import { checkAgainst } from "./json-schema-check.ts";
import type { ServerMessage } from "./live-messages.ts";
import { SERVER_MESSAGE_SCHEMA } from "./wire-schemas.generated.ts";

/** The exact heartbeat frames: the room answers these without waking (hibernation auto-response). */
export const HEARTBEAT_PING = '{"type":"ping"}';
export const HEARTBEAT_PONG = '{"type":"pong"}';

/** The subprotocol every client offers; a private-match token travels as a second one. */
export const SUBPROTOCOL = "crease.v1";
export const TOKEN_SUBPROTOCOL_PREFIX = "crease.token.";

/**
 * Close codes, and whether a client should come back. The server sends a `retry` message
 * with a jittered delay before closing with 1012/1013.
 */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  unauthorized: 4001,
  unknownMatch: 4004,
  tooSlow: 4008,
  /** Nothing heard (no ping, no ack) for the heartbeat window: probably gone; if not, reconnect and resume. */
  silent: 4009,
} as const;

/** Policy violations and refused credentials will fail again the same way: do not retry them. */
export function shouldReconnect(code: number): boolean {
  return (
    code !== CLOSE_CODES.normal &&
    code !== CLOSE_CODES.policyViolation &&
    code !== CLOSE_CODES.unauthorized &&
    code !== CLOSE_CODES.unknownMatch
  );
}

export type ParsedServerMessage = { ok: true; message: ServerMessage } | { ok: false; reason: string };

/** Parses one server frame on the client side, with the checks generated from the server's schemas. */
export function parseServerMessage(frame: string): ParsedServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return { ok: false, reason: "server frame is not JSON" };
  }
  const verdict = checkAgainst(SERVER_MESSAGE_SCHEMA, value);
  if (!verdict.ok) {
    return { ok: false, reason: `unexpected server message: ${verdict.path.slice(1)} ${verdict.problem}` };
  }
  // Checked above against the JSON Schema of serverMessageSchema, which is this type.
  return { ok: true, message: value as ServerMessage };
}
