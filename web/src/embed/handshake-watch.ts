/**
 * A browser refuses to tell a page why a WebSocket handshake failed: the server's 403 for an
 * Origin outside ALLOWED_ORIGINS and a server that is down both arrive as an error and close 1006.
 * The client library retries either way, staying "reconnecting". So the element hands the library
 * a WebSocket that counts handshakes that failed before opening, and after a few in a row asks
 * the server over plain HTTP whether it is there at all: if it answers, the handshake was refused.
 */
import type { WebSocketConstructorLike, WebSocketLike } from "../../../client/index.ts";
import { REFUSED_AFTER_FAILURES } from "./freshness.ts";

export interface HandshakeWatch {
  WebSocket: WebSocketConstructorLike;
  /** Handshakes that failed in a row without opening; reset by one that opens. */
  readonly failures: number;
}

/** A WebSocket constructor that reports each socket's open, and `onFailures` at the threshold. */
export function watchHandshakes(onFailures: () => void): HandshakeWatch {
  const watch = { failures: 0, WebSocket: undefined as unknown as WebSocketConstructorLike };
  const Native = WebSocket;
  watch.WebSocket = function Watched(url: string, protocols?: string | string[]): WebSocketLike {
    const socket = new Native(url, protocols);
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      watch.failures = 0;
    });
    socket.addEventListener("close", () => {
      if (opened) return;
      watch.failures += 1;
      if (watch.failures === REFUSED_AFTER_FAILURES) onFailures();
    });
    return socket;
  } as unknown as WebSocketConstructorLike;
  return watch;
}

/**
 * Whether the server answers HTTP at all. `no-cors` gives an opaque response from any origin
 * (nothing is read), and fails only when the server cannot be reached.
 */
export async function serverReachable(base: string): Promise<boolean> {
  try {
    await fetch(`${base}/health`, { mode: "no-cors", cache: "no-store" });
    return true;
  } catch {
    return false;
  }
}
