/**
 * The slice of the WebSocket API the client uses, so that a browser's `WebSocket`, the `ws`
 * package in Node 20 (which has no global WebSocket) and a test double all fit.
 */

/** `WebSocket.OPEN`: read off the spec rather than the constructor, which a double may lack. */
export const READY_STATE_OPEN = 1;

/** One socket, as the browser (and `ws`) expose it. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Browsers and `ws` have it; a double may not. */
  binaryType?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}

/** A WebSocket constructor: the global one in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructorLike = new (url: string, protocols?: string | string[]) => WebSocketLike;

function isConstructor(value: unknown): value is WebSocketConstructorLike {
  // A function is the most a runtime check can learn about a constructor without calling it.
  return typeof value === "function";
}

/**
 * The constructor to use: the one passed in, else the global one (browsers, workerd, Node ≥ 22).
 * Throws when neither exists, which in Node 20 means the caller forgot to pass `ws`.
 */
export function resolveWebSocket(given: WebSocketConstructorLike | undefined): WebSocketConstructorLike {
  if (given) return given;
  const global: unknown = Reflect.get(globalThis, "WebSocket");
  if (isConstructor(global)) return global;
  throw new TypeError(
    'No WebSocket implementation: pass one as the `WebSocket` option (in Node 20: `import { WebSocket } from "ws"`)',
  );
}

/**
 * Closes a socket without letting the platform's complaints escape: browsers throw on a code
 * they refuse, and both browsers and `ws` raise an error event when a socket is closed before
 * its handshake finished. Either way the caller has already given the socket up.
 */
export function closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // The socket is being abandoned; there is nobody left to tell.
  }
}
