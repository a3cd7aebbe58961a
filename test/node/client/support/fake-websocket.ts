/**
 * An in-memory WebSocket for tests under fake timers, where a real socket's I/O would never
 * run. Each `createFakeWebSocket()` gives a constructor and the list of sockets it made; the
 * test plays the server with `serverOpen`, `serverSend` and `serverClose`.
 */

import type { WebSocketConstructorLike, WebSocketLike } from "../../../../client/index.ts";
import type { ServerMessage } from "../../../../protocol/live-messages.ts";

type Listener = (event: never) => void;

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  clientClose: { code: number | undefined; reason: string | undefined } | null = null;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly protocols: string | string[] | undefined,
  ) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("InvalidStateError: not open");
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.clientClose = { code, reason };
    this.readyState = 3;
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  serverOpen(): void {
    this.readyState = 1;
    this.#dispatch("open", {});
  }

  serverSend(message: ServerMessage | string): void {
    this.#dispatch("message", { data: typeof message === "string" ? message : JSON.stringify(message) });
  }

  serverClose(code: number, reason = ""): void {
    this.readyState = 3;
    this.#dispatch("close", { code, reason });
  }

  #dispatch(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as (event: object) => void)(event);
  }
}

export function createFakeWebSocket(): { WebSocket: WebSocketConstructorLike; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  class Constructor extends FakeSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return { WebSocket: Constructor, sockets };
}
