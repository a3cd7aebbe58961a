/**
 * The front door's own backpressure: how many viewer joins this isolate is handling at once.
 * A room's admission bucket (./admission.ts) limits the rate a room takes viewers, but at the
 * toss, or after a restart, the isolate itself is the bottleneck: joins arrive faster than it
 * can hand them over, every one waits longer, clients time out and come back, and the queue
 * (first in the isolate, then in the kernel's accept queue) only grows. Past `maxInFlight`
 * joins the door answers at once with 1013 and a retry hint, like a ticket at a counter: the
 * k-th viewer turned away in one rush is told to come back after about the time the door
 * needs to seat k viewers (from the recent time a join takes), with jitter, so the herd
 * returns spread at the rate it can be seated instead of all at once. Pure: the randomness is
 * passed in.
 */
export class JoinGate {
  private inFlight = 0;
  /** Viewers turned away since the door was last below half its limit: the rush so far. */
  private turnedAway = 0;
  /** Recent time from a join's arrival to its room's answer (EWMA), in ms. */
  private joinMs = 5;

  constructor(private readonly maxInFlight: number) {}

  /** A join may go on (and must call `done`), or is told to come back after `retryAfterMs`. */
  tryEnter(random: () => number): { ok: true } | { ok: false; retryAfterMs: number } {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      return { ok: true };
    }
    this.turnedAway += 1;
    const seatedPerMs = this.maxInFlight / Math.max(1, this.joinMs);
    const ticketMs = this.turnedAway / seatedPerMs;
    return {
      ok: false,
      retryAfterMs: Math.round(Math.min(MAX_RETRY_MS, 1000 + ticketMs * (0.5 + random()))),
    };
  }

  /** A join that entered has its answer (or failed) after `elapsedMs`. */
  done(elapsedMs: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.joinMs += (elapsedMs - this.joinMs) * 0.1;
    if (this.inFlight < this.maxInFlight / 2) this.turnedAway = 0;
  }

  get joining(): number {
    return this.inFlight;
  }
}

/** However long the rush, no viewer is told to wait more than a minute. */
const MAX_RETRY_MS = 60_000;
