import { closeReason } from "./close-reason.ts";

/**
 * Closes a socket, or completes the closing handshake the client started. Depending on the
 * compatibility date the runtime may already have replied, and close() on a closed socket
 * throws; either way the client must see its close echoed (not a 1006), so the reply is
 * attempted and a throw ignored.
 * 1005/1006/1015 are reserved: they may be reported but never sent, so they are answered with 1000.
 * The reason is cut to what a close frame can carry (edge/close-reason.ts).
 */
export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, closeReason(reason));
  } catch {
    // already closed
  }
}

/** A send to a socket that is closing throws; the runtime delivers webSocketClose soon after. */
export function sendQuietly(ws: WebSocket, frame: string | Uint8Array): void {
  try {
    ws.send(frame);
  } catch {
    // closing socket
  }
}

/** WebSocket.OPEN, spelled out: the Workers global does not carry the static constants everywhere. */
export const WS_OPEN = 1;
