/**
 * Crease's own per-socket state (issue 13's "≤ 1 KB"): what a room keeps for each viewer, apart
 * from what the runtime keeps for any WebSocket. Two things (durable-objects/match-room.ts,
 * edge/socket-book.ts):
 *
 * - the socket's attachment, written with `serializeAttachment` (V8's structured clone, kept by
 *   the runtime so it survives hibernation), plus its one tag (the wire format);
 * - the room's book entry: the parsed attachment, kept per socket in a WeakMap while awake.
 *
 * Method: the attachment is built exactly as MatchRoom.fetch writes it, then as it looks once
 * the viewer has pinged, acknowledged and been sent a snapshot (every nullable field filled, the
 * largest it gets), and parsed through the real schema as the book does. Its size is measured
 * as JSON and as V8's serializer (`node:v8`, the format of structured clone); the book entry's
 * size is measured on Node's V8 heap: many such parsed attachments held in a WeakMap keyed by
 * stand-in sockets, heap after minus before, over the count (with forced GCs). Node's V8 is not
 * workerd's, but the object layout is the same engine's; treat the figure as an estimate.
 */

import { serialize, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseAttachment, type SocketAttachment } from "../../edge/socket-attachment.ts";

export interface SocketStateSize {
  /** The attachment as JSON text, UTF-8 bytes: as written at the handshake / with every field filled. */
  attachmentJsonBytes: { fresh: number; full: number };
  /** The same as V8 structured-clone bytes (what serializeAttachment stores). */
  attachmentCloneBytes: { fresh: number; full: number };
  /** The socket's tags (`acceptWebSocket(server, [format])`). */
  tagBytes: number;
  /** Heap bytes per book entry: the parsed attachment plus its WeakMap slot (Node's V8). */
  bookEntryHeapBytes: number;
  /** Clone (full) + tags + book entry: Crease's own state per socket. */
  totalBytes: number;
  method: string;
}

/**
 * What MatchRoom.fetch writes for a viewer at the handshake. Partial: a field added later with a
 * schema default (as every later field is) is filled in by the parse, as on a real read.
 */
function freshAttachment(now: number): Partial<SocketAttachment> {
  return {
    joinedAt: now,
    ready: false,
    ackSeq: null,
    ackAt: null,
    lagging: false,
    bridge: false,
    format: "json-patch",
    heardAt: null,
    meter: null,
    snapshotAt: null,
    snapshotOwed: false,
    gzip: true,
  };
}

/** The same socket later: ready, acknowledged a seq, heard from, metered, sent a snapshot. */
function fullAttachment(now: number): Partial<SocketAttachment> {
  return {
    ...freshAttachment(now),
    ready: true,
    ackSeq: 123_456,
    ackAt: now + 61_234,
    heardAt: now + 61_234,
    meter: { tokens: 9.987_654_321, at: now + 61_234 },
    snapshotAt: now + 12,
  };
}

function gcFunction(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

export function measureSocketState(): SocketStateSize {
  const now = Date.now();
  const parse = (a: Partial<SocketAttachment>) => {
    const parsed = parseAttachment(structuredClone(a));
    if (!parsed) throw new Error("socket-state: the attachment no longer parses; update this bench");
    return parsed;
  };
  const fresh = parse(freshAttachment(now));
  const full = parse(fullAttachment(now));
  const json = (a: unknown) => Buffer.byteLength(JSON.stringify(a));
  const tagBytes = Buffer.byteLength(full.format);

  const gc = gcFunction();
  const count = 50_000;
  const keys = Array.from({ length: count }, () => ({}));
  const book = new WeakMap<object, SocketAttachment>();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  // Distinct objects, each as the book holds it: the parsed copy of that socket's attachment.
  for (let i = 0; i < count; i++) book.set(keys[i] as object, parse(fullAttachment(now + i)));
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const bookEntryHeapBytes = Math.round((after - before) / count);
  if (!book.has(keys[0] as object)) throw new Error("unreachable: keeps `book` alive until measured");

  const clone = { fresh: serialize(fresh).byteLength, full: serialize(full).byteLength };
  return {
    attachmentJsonBytes: { fresh: json(fresh), full: json(full) },
    attachmentCloneBytes: clone,
    tagBytes,
    bookEntryHeapBytes,
    totalBytes: clone.full + tagBytes + bookEntryHeapBytes,
    method:
      "attachment built as MatchRoom.fetch writes it and with every field filled, parsed by the real schema; " +
      "sizes as JSON and V8 structured clone (node:v8); book entry = V8 heap per parsed attachment held in a WeakMap (50,000, forced GC)",
  };
}
