import { hmacSha256, toHex } from "../../protocol/hmac.ts";

/** The headers of every delivery (docs/webhooks.md). */
export const SIGNATURE_HEADER = "X-Crease-Signature";
/** The moment's id, repeated from the body for logs; not signed, so receivers dedupe on the body's `id`. */
export const DELIVERY_HEADER = "X-Crease-Delivery";

const encoder = new TextEncoder();

/** The signed bytes: the decimal unix seconds, one `.`, then the body exactly as sent (as inbound). */
export function signingInput(unixSeconds: number, body: string): Uint8Array {
  return encoder.encode(`${unixSeconds}.${body}`);
}

/**
 * `t=<unix s>,v1=<hex>[,v1=<hex>]`: one `v1` per secret, the current one first. During a
 * rotation's grace period the old secret signs too, so a receiver still holding it verifies.
 */
export async function signDelivery(
  secrets: readonly string[],
  body: string,
  unixSeconds: number,
): Promise<string> {
  if (secrets.length === 0 || secrets.some((s) => s.length === 0)) {
    throw new RangeError("signDelivery: every secret must be non-empty");
  }
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new RangeError("signDelivery: unixSeconds must be a non-negative integer");
  }
  const input = signingInput(unixSeconds, body);
  const macs = await Promise.all(secrets.map((secret) => hmacSha256(secret, input)));
  return [`t=${unixSeconds}`, ...macs.map((mac) => `v1=${toHex(mac)}`)].join(",");
}
