import { closeReason } from "./close-reason.ts";

/**
 * Closes a socket, or completes the closing handshake the client started. Depending on the
 * compatibility date the runtime may already have replied, and close() on a closed socket
 * throws; either way the client must see its close echoed (not a 1006), so the reply is
 * attempted and a throw ignored.
 * 1005/1006/1015 are reserved: a peer never sends them; the runtime reports them when no close
 * frame came (the transport is gone, or the frame had no code). There is nothing to answer then,
 * and a reply is written to a dead transport: it fails later, out of reach of this try, as
 * workerd's "web-socket.c++: disconnected" lines and, in the test pool, "Error sending to pool:
 * Can't call WebSocket send() after close()". So they are not answered at all (partyserver's
 * closeQuietly does the same).
 * The reason is cut to what a close frame can carry (edge/close-reason.ts).
 */
export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  if (isReservedCloseCode(code)) return;
  try {
    ws.close(code, closeReason(reason));
  } catch {
    // already closed
  }
}

/** Close codes that may be reported but never sent (RFC 6455, 7.4.1). */
export function isReservedCloseCode(code: number): boolean {
  return code === 1005 || code === 1006 || code === 1015;
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
