/**
 * The SSE bridge's bound on one reader: what the Worker has written to the reader's stream
 * and the reader has not yet taken. A reader that stops reading would otherwise make the
 * Worker queue every frame of the match in memory for as long as it stays connected. Pure:
 * the route counts a write when it queues it and again when the stream takes it.
 */
export interface BacklogLimits {
  /** Messages written and not yet taken by the reader. */
  maxMessages: number;
  /** Their bytes. One snapshot (up to ~600 KB for a long Test) must fit, with room to spare. */
  maxBytes: number;
}

export class SseBacklog {
  #messages = 0;
  #bytes = 0;

  constructor(private readonly limits: BacklogLimits) {}

  /**
   * A message of `bytes` is about to be written: false when it would take the backlog past
   * either bound, and the reader should be cut instead. A message larger than the byte bound
   * on its own still goes to a reader that has taken everything else (a huge snapshot is not
   * a slow reader).
   */
  admit(bytes: number): boolean {
    const messages = this.#messages + 1;
    const total = this.#bytes + bytes;
    if (messages > this.limits.maxMessages) return false;
    if (total > this.limits.maxBytes && this.#messages > 0) return false;
    this.#messages = messages;
    this.#bytes = total;
    return true;
  }

  /** The reader took a message of `bytes`. */
  taken(bytes: number): void {
    this.#messages = Math.max(0, this.#messages - 1);
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }

  get messages(): number {
    return this.#messages;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
