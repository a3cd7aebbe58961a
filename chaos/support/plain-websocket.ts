import WebSocket from "ws";

/**
 * `ws` offers permessage-deflate by default; browsers do too, but the server declines it,
 * and the offer alone changes nothing but the handshake. Off, as in the end-to-end tests.
 */
export class PlainWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: false });
  }
}
