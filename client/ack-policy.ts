/** Heartbeats between two acknowledgements when no patches arrive. */
export const ACK_EVERY_BEATS = 5;
/** Patches applied between two acknowledgements when they arrive quickly. */
export const ACK_EVERY_PATCHES = 20;

/**
 * When to acknowledge the newest seq (`{"type":"ping","seq":N}`): the room compares acks to
 * tell a slow reader from a fast one, so they must come regularly, but each one wakes the
 * room, unlike the plain ping it answers without waking. One per connection.
 */
export class AckPolicy {
  #beats = 0;
  #patches = 0;

  /** A heartbeat is due; true when it should carry an acknowledgement. */
  onBeat(): boolean {
    this.#beats += 1;
    if (this.#beats < ACK_EVERY_BEATS) return false;
    this.#reset();
    return true;
  }

  /** A patch was applied; true when an acknowledgement should go now. */
  onPatch(): boolean {
    this.#patches += 1;
    if (this.#patches < ACK_EVERY_PATCHES) return false;
    this.#reset();
    return true;
  }

  #reset(): void {
    this.#beats = 0;
    this.#patches = 0;
  }
}
