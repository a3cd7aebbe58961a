import { closeReason } from "./close-reason.ts";

/**
 * Closes a socket, or completes the closing handshake the client started. Depending on the
 * compatibility date the runtime may already have replied, and close() on a closed socket
 * throws; either way the client must see its close echoed (not a 1006), so the reply is
 * attempted and a throw ignored.
 * 1005/1006/1015 are reserved: a peer never sends them. 1006 and 1015 say no close frame came
 * (the transport is gone): there is nothing to answer, and a reply written to a dead transport
 * fails later, out of reach of this try, as workerd's "web-socket.c++: disconnected" lines and,
 * in the test pool, "Error sending to pool: Can't call WebSocket send() after close()"; they are
 * not answered (partyserver's closeQuietly does the same). 1005 says a close frame did come,
 * with no code (a plain `ws.close()`): it is answered with 1000, or that client waits out its
 * close timeout and ends with 1006.
 * The reason is cut to what a close frame can carry (edge/close-reason.ts).
 */
export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  if (code === 1006 || code === 1015) return;
  try {
    ws.close(code === 1005 ? 1000 : code, closeReason(reason));
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
