/**
 * Viewer tokens for private matches: `<expiry unix seconds>.<hex HMAC-SHA256 of "<matchId>.<expiry>">`.
 * They travel as a WebSocket subprotocol (`crease.token.<token>`), never in the query string,
 * where access logs would keep them.
 */
const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signViewerToken(secret: string, matchId: string, expiresAt: number): Promise<string> {
  return `${expiresAt}.${await hmacHex(secret, `${matchId}.${expiresAt}`)}`;
}

export async function verifyViewerToken(
  secret: string,
  matchId: string,
  token: string,
  nowSeconds: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const match = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(token);
  if (!match) return { ok: false, reason: "malformed viewer token" };
  const expiresAt = Number(match[1]);
  if (expiresAt < nowSeconds) return { ok: false, reason: "viewer token expired" };
  const expected = await hmacHex(secret, `${matchId}.${expiresAt}`);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (match[2] ?? "").charCodeAt(i);
  return diff === 0 ? { ok: true } : { ok: false, reason: "viewer token does not match this match" };
}

/** Whether a match needs a token: listed by id, or by a prefix ending in `*`. */
export function isPrivateMatch(patterns: string[], matchId: string): boolean {
  return patterns.some((p) => (p.endsWith("*") ? matchId.startsWith(p.slice(0, -1)) : p === matchId));
}
