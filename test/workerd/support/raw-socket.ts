/**
 * Accepts a socket a test opened by hand and ends it as a client should: a close frame with a
 * code, then (bounded) the room's answer. A bare `close()` sends a frame without a code, which
 * the room reads as the reserved 1005 and does not answer (edge/close-quietly.ts), so the socket
 * waits out workerd's close timeout; and a socket never closed is dropped with the test's
 * runtime. Returns the code the room answered with.
 */
export async function acceptAndClose(socket: WebSocket | null, timeoutMs = 5000): Promise<number> {
  if (!socket) throw new Error("no WebSocket to close");
  const closed = new Promise<number>((resolve) =>
    socket.addEventListener("close", (event) => resolve(event.code)),
  );
  socket.accept();
  socket.close(1000, "done");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no close answered within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
