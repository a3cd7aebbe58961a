/**
 * Broken copies of real events, the kinds a buggy provider sends: each must be reported
 * `invalid` by the webhook, and never cost its valid neighbours their place.
 */
import type { ProviderEvent } from "../../scoring/index.ts";

const BREAKERS: ((e: ProviderEvent) => unknown)[] = [
  (e) => ({ ...e, seq: -e.seq }),
  (e) => ({ ...e, seq: `${e.seq}` }),
  (e) => ({ ...e, type: "boundary.four" }),
  (e) => ({ ...e, ts: "yesterday, about teatime" }),
  (e) => ({ ...e, matchId: "" }),
  (e) => {
    const { payload: _dropped, ...rest } = e;
    return rest;
  },
  (e) => (e.type === "delivery" ? { ...e, payload: { ...e.payload, batterRuns: -4 } } : { ...e, payload: 7 }),
  () => 42,
  () => null,
];

/** A malformed variant of `event`, chosen by `random`. */
export function malformed(event: ProviderEvent, random: () => number): unknown {
  const breaker = BREAKERS[Math.floor(random() * BREAKERS.length)] ?? BREAKERS[0];
  return breaker?.(event);
}
