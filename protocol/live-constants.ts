/**
 * The live protocol's constants, shared by every side without any schema: the heartbeat frames,
 * the subprotocol and the close codes with their reconnect rule (docs/protocol.md). The server's
 * schemas (live-messages.ts) and the browser's checks (live-wire.ts) both re-export them.
 */

/** The exact heartbeat frames: the room answers these without waking (hibernation auto-response). */
export const HEARTBEAT_PING = '{"type":"ping"}';
export const HEARTBEAT_PONG = '{"type":"pong"}';

/** The subprotocol every client offers; a private-match token travels as a second one. */
export const SUBPROTOCOL = "crease.v1";

/** The 101's headers for a client that offered `offered` (its header): the subprotocol is echoed only when offered. */
export function agreedSubprotocol(offered: string | null): Record<string, string> {
  const asked = (offered ?? "").split(",").some((p) => p.trim() === SUBPROTOCOL);
  return asked ? { "sec-websocket-protocol": SUBPROTOCOL } : {};
}
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
