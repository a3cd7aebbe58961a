/**
 * HMAC-SHA256 and the comparisons around it, on WebCrypto only, so the webhook signature,
 * viewer tokens and the admin token check share one careful implementation.
 */
const encoder = new TextEncoder();

export async function hmacSha256(secret: string, message: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  // Shared memory cannot be signed; ours never is, so the view is re-typed, not copied.
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, message as Uint8Array<ArrayBuffer>));
}

/**
 * Compares every byte whatever the earlier ones were. Lengths are public (both are 32 bytes
 * by construction), so an unequal length may return at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Decodes hex already checked against HEX_PATTERN with an even length. */
export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
