import { parseAttachment, type SocketAttachment } from "./socket-attachment.ts";

/** What the book needs of a socket: the runtime's attachment, which survives hibernation. */
export interface AttachedSocket {
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/**
 * A room's memory of its sockets' attachments. The attachment stays the truth (it survives
 * hibernation; instance fields do not), but reading it back means structured-clone and a schema
 * parse: paid once per socket per wake-up here, not once per socket per broadcast. Every write
 * goes through `set`, so memory and attachment never disagree. Keyed weakly by the socket
 * object: a socket the runtime drops takes its entry with it, and a socket seen through another
 * wrapper is simply read again (slower, never wrong).
 */
export class SocketBook<S extends AttachedSocket> {
  readonly #known = new WeakMap<S, SocketAttachment>();

  /** The socket's attachment; null when it cannot be read (a socket from an unknown version). */
  get(ws: S): SocketAttachment | null {
    const known = this.#known.get(ws);
    if (known) return known;
    const parsed = parseAttachment(ws.deserializeAttachment());
    if (parsed) this.#known.set(ws, parsed);
    return parsed;
  }

  set(ws: S, attachment: SocketAttachment): void {
    ws.serializeAttachment(attachment);
    this.#known.set(ws, attachment);
  }

  /** Changes some fields; a socket whose attachment cannot be read is left alone. */
  update(ws: S, change: Partial<SocketAttachment>): SocketAttachment | null {
    const current = this.get(ws);
    if (!current) return null;
    const next = { ...current, ...change };
    this.set(ws, next);
    return next;
  }

  /** In step and keeping up (and, when given, of that wire format): a broadcast goes to it. */
  receivesBroadcasts(ws: S, format?: SocketAttachment["format"]): boolean {
    const attachment = this.get(ws);
    return (
      attachment?.ready === true &&
      !attachment.lagging &&
      (format === undefined || attachment.format === format)
    );
  }

  /** In step: broadcasts reach it again, and no snapshot is owed any more (`snapshotAt`: one was just sent). */
  markReady(ws: S, snapshotAt?: number): void {
    const attachment = this.get(ws);
    if (attachment)
      this.set(ws, {
        ...attachment,
        ready: true,
        snapshotOwed: false,
        snapshotAt: snapshotAt ?? attachment.snapshotAt,
      });
  }
}
