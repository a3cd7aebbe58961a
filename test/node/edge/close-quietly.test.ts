import { describe, expect, it } from "vitest";
import { closeQuietly } from "../../../edge/close-quietly.ts";

/** Records what closeQuietly asks of a socket; a real runtime socket is the workerd tier's. */
function recorder(throws = false) {
  const closes: [number | undefined, string | undefined][] = [];
  const ws = {
    close(code?: number, reason?: string) {
      closes.push([code, reason]);
      if (throws) throw new TypeError("WebSocket already closed");
    },
  } as unknown as WebSocket;
  return { ws, closes };
}

describe("closeQuietly", () => {
  it.each([1006, 1015])("answers nothing to the reserved code %i (no close frame came)", (code) => {
    const { ws, closes } = recorder();
    closeQuietly(ws, code, "");
    expect(closes).toEqual([]);
  });

  it("answers a close frame that carried no code (1005) with 1000", () => {
    const { ws, closes } = recorder();
    closeQuietly(ws, 1005, "");
    expect(closes).toEqual([[1000, ""]]);
  });

  it("echoes a close the client sent, with its code", () => {
    const { ws, closes } = recorder();
    closeQuietly(ws, 1000, "bye");
    closeQuietly(ws, 4009, "silent");
    expect(closes).toEqual([
      [1000, "bye"],
      [4009, "silent"],
    ]);
  });

  it("swallows the throw of a socket the runtime already closed", () => {
    const { ws } = recorder(true);
    expect(() => closeQuietly(ws, 1001, "going away")).not.toThrow();
  });
});
