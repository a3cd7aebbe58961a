import { jitteredRetryMs } from "../edge/admission.ts";
import { closeQuietly } from "../edge/close-quietly.ts";
import { type BacklogLimits, SseBacklog } from "../edge/sse-backlog.ts";
import { sseRetryEvent } from "../protocol/frames.ts";
import { CLOSE_CODES } from "../protocol/live-wire.ts";

/**
 * Server-Sent Events from a room's socket, for the match feed's and the ticker's `/stream`:
 * each text frame becomes the event `event` makes of it (null: none). A write settles when the
 * reader has taken it, so unsettled writes are the reader's backlog. Bounded: a reader that
 * stops reading would otherwise have this Worker hold every frame for as long as it stays
 * connected. Past the bound it gets one last `retry` event after what it has not read yet, the
 * stream ends and the room's socket is closed; an EventSource comes back with Last-Event-ID
 * and resumes.
 */
export function sseFromSocket(
  socket: WebSocket,
  limits: BacklogLimits,
  event: (frame: string) => string | null,
  cacheControl = "no-cache, no-transform",
): Response {
  // A native byte pipe, not a JS TransformStream: workerd pumps a JS stream into the response
  // through a "PumpToReader" that logs "disconnected: PumpToReader was destroyed" every time a
  // reader goes away, which for an endless stream is every reader. A write here still settles
  // only when the reader has taken it, and a cancel still rejects `writer.closed`.
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const backlog = new SseBacklog(limits);
  let cut = false;
  const write = (text: string) => {
    if (cut) return;
    const bytes = encoder.encode(text);
    if (!backlog.admit(bytes.byteLength)) return cutReader();
    writer.write(bytes).then(
      () => backlog.taken(bytes.byteLength),
      () => closeQuietly(socket, CLOSE_CODES.normal, "viewer left"),
    );
  };
  const cutReader = () => {
    cut = true;
    const hint = sseRetryEvent(jitteredRetryMs(1000, 4000, Math.random), "too slow: reconnect");
    writer.write(encoder.encode(hint)).catch(() => undefined);
    writer.close().catch(() => undefined);
    closeQuietly(socket, CLOSE_CODES.tooSlow, "SSE reader too slow");
  };
  // The reader left (the response was cancelled): the room's socket goes at once, not at the next write.
  writer.closed.catch(() => closeQuietly(socket, CLOSE_CODES.normal, "viewer left"));
  write("retry: 2000\n\n");
  socket.addEventListener("message", (message) => {
    if (typeof message.data !== "string") return;
    const text = event(message.data);
    if (text !== null) write(text);
  });
  socket.addEventListener("close", () => {
    if (!cut) writer.close().catch(() => undefined);
  });
  return new Response(readable, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": cacheControl,
      "x-accel-buffering": "no",
    },
  });
}
