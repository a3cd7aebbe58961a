/**
 * Admission control for one room: a token bucket on new sockets, so a reconnect wave after
 * a deploy is spread out instead of accepted (and then broadcast to) all in one second.
 * Refused viewers get a retry hint with jitter, so they do not come back together either.
 */
export class AdmissionBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes a token if one is left. */
  tryAdmit(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * A retry delay spread uniformly over [base, base + spread): the jitter is what keeps the
 * refused from returning as a second wave at the same instant.
 */
export function jitteredRetryMs(baseMs: number, spreadMs: number, random: () => number): number {
  return Math.round(baseMs + random() * spreadMs);
}
