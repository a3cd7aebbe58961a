/**
 * Every frame a viewer sends is metered per socket: a token bucket whose state lives in the
 * socket's attachment, so hibernation cannot reset it. A frame costs what it can make the
 * room do: an acknowledgement updates an attachment; a resume or subscribe can send a snapshot
 * or a run of patches and call the ledger. Past the bucket the socket is closed (1008, "rate
 * limited"). This bounds frames, not the bytes they cause: what a resume's answer sends is
 * charged again, by its size, in ./resume-meter.ts. Pure: the room passes the clock in.
 */
import type { ClientMessage } from "../protocol/live-messages.ts";

/** A socket's bucket: tokens left when last metered, and when that was. */
export interface FrameMeter {
  tokens: number;
  at: number;
}

export interface FrameMeterPolicy {
  /** The bucket's size: the most a socket may spend at once. Never below the dearest frame. */
  burst: number;
  /** Tokens back per second. */
  perSecond: number;
}

/**
 * Tokens per frame. The plain `{"type":"ping"}` never reaches the room (the runtime answers it
 * while the room sleeps), so only acknowledgements pay for pings. The client library acks at
 * most every 20 patches (a catch-up of 500 versions is 25 acks at once); it resumes once per
 * gap and subscribes once.
 */
export const FRAME_COSTS = {
  ping: 1,
  resume: 10,
  subscribe: 10,
} as const satisfies Record<ClientMessage["type"], number>;

/** The dearest frame: a bucket smaller than this could never let it through. */
export const MAX_FRAME_COST = Math.max(...Object.values(FRAME_COSTS));

export type MeterVerdict = { allowed: boolean; meter: FrameMeter };

/**
 * Charges one frame of `cost` to a socket's bucket (`null`: a socket that has sent nothing yet,
 * whose bucket is full). A refused frame leaves the tokens as they were; the room closes the
 * socket anyway. A clock that went backwards refills nothing.
 */
export function meterFrame(
  meter: FrameMeter | null,
  cost: number,
  now: number,
  policy: FrameMeterPolicy,
): MeterVerdict {
  const elapsedMs = meter === null ? 0 : Math.max(0, now - meter.at);
  const available =
    meter === null
      ? policy.burst
      : Math.min(policy.burst, meter.tokens + (elapsedMs / 1000) * policy.perSecond);
  if (available < cost) return { allowed: false, meter: { tokens: available, at: now } };
  return { allowed: true, meter: { tokens: available - cost, at: now } };
}
