/**
 * Viewer tokens for private matches: `<expiry unix seconds>.<hex HMAC-SHA256 of "<matchId>.<expiry>">`.
 * They travel as a WebSocket subprotocol (`crease.token.<token>`), never in the query string,
 * where access logs would keep them.
 */
import { constantTimeEqual, fromHex, hmacSha256, toHex } from "../origin/hmac.ts";

const encoder = new TextEncoder();

function tokenMac(secret: string, matchId: string, expiresAt: number): Promise<Uint8Array> {
  return hmacSha256(secret, encoder.encode(`${matchId}.${expiresAt}`));
}

export async function signViewerToken(secret: string, matchId: string, expiresAt: number): Promise<string> {
  return `${expiresAt}.${toHex(await tokenMac(secret, matchId, expiresAt))}`;
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
  const expected = await tokenMac(secret, matchId, expiresAt);
  return constantTimeEqual(expected, fromHex(match[2] ?? ""))
    ? { ok: true }
    : { ok: false, reason: "viewer token does not match this match" };
}

/** Whether a match needs a token: listed by id, or by a prefix ending in `*`. */
export function isPrivateMatch(patterns: string[], matchId: string): boolean {
  return patterns.some((p) => (p.endsWith("*") ? matchId.startsWith(p.slice(0, -1)) : p === matchId));
}
