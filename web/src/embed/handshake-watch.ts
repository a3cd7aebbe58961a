/**
 * A browser refuses to tell a page why a WebSocket handshake failed: the server's 403 for an
 * Origin outside ALLOWED_ORIGINS and a server that is down both arrive as an error and close 1006.
 * The client library retries either way, staying "reconnecting". So the element hands the library
 * a WebSocket that counts handshakes that failed before opening, and after a few in a row asks
 * the server over plain HTTP whether it is there at all. Only a handshake that fails after the
 * server answered counts as refused: one that failed while a restarting server was still down,
 * probed just as it came back, must not.
 */
import type { WebSocketConstructorLike, WebSocketLike } from "../../../client/index.ts";
import { REFUSED_AFTER_FAILURES } from "./freshness.ts";

export interface HandshakeWatch {
  WebSocket: WebSocketConstructorLike;
  /** Handshakes that failed in a row without opening; reset by one that opens. */
  readonly failures: number;
}

/**
 * A WebSocket constructor that counts failed handshakes, and from the threshold on calls
 * `onFailure` with the time the failed socket was created.
 */
export function watchHandshakes(onFailure: (startedAt: number) => void): HandshakeWatch {
  const watch = { failures: 0, WebSocket: undefined as unknown as WebSocketConstructorLike };
  const Native = WebSocket;
  watch.WebSocket = function Watched(url: string, protocols?: string | string[]): WebSocketLike {
    const socket = new Native(url, protocols);
    const startedAt = Date.now();
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      watch.failures = 0;
    });
    socket.addEventListener("close", () => {
      if (opened) return;
      watch.failures += 1;
      if (watch.failures >= REFUSED_AFTER_FAILURES) onFailure(startedAt);
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
