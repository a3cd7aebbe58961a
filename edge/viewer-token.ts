/**
 * Viewer tokens for private matches: `<expiry unix seconds>.<scope, base64url>.<hex HMAC-SHA256
 * of "<scope>.<expiry>">`, where the scope is a match id or a prefix ending in `*` (every match
 * that starts with it). They travel as a WebSocket subprotocol (`crease.token.<token>`), as
 * `Authorization: Bearer <token>` on HTTP, and in `?token=` only for EventSource, which can
 * send no header. Minted with `npm run -s cli -- viewer-token`.
 *
 * The older two-part form `<expiry>.<hex mac of "<matchId>.<expiry>">` (scope: that match)
 * is still accepted, so tokens already handed out keep working until they expire.
 */
import { constantTimeEqual, fromHex, hmacSha256, toHex } from "../protocol/hmac.ts";

const encoder = new TextEncoder();

function tokenMac(secret: string, scope: string, expiresAt: number): Promise<Uint8Array> {
  return hmacSha256(secret, encoder.encode(`${scope}.${expiresAt}`));
}

function toBase64Url(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | null {
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
}

/** A token for one match (`scope` = its id) or for every match under a prefix (`scope` = "prefix*"). */
export async function signViewerToken(secret: string, scope: string, expiresAt: number): Promise<string> {
  return `${expiresAt}.${toBase64Url(scope)}.${toHex(await tokenMac(secret, scope, expiresAt))}`;
}

/** Whether a token's scope covers a match. */
export function scopeCovers(scope: string, matchId: string): boolean {
  return scope.endsWith("*") ? matchId.startsWith(scope.slice(0, -1)) : scope === matchId;
}

export type TokenVerdict = { ok: true } | { ok: false; reason: string };

export async function verifyViewerToken(
  secret: string,
  matchId: string,
  token: string,
  nowSeconds: number,
): Promise<TokenVerdict> {
  const scoped = /^(\d{1,12})\.([A-Za-z0-9_-]{1,200})\.([0-9a-f]{64})$/.exec(token);
  const legacy = scoped ? null : /^(\d{1,12})\.([0-9a-f]{64})$/.exec(token);
  if (!scoped && !legacy) return { ok: false, reason: "malformed viewer token" };
  const expiresAt = Number((scoped ?? legacy)?.[1]);
  const scope = scoped ? fromBase64Url(scoped[2] ?? "") : matchId;
  const mac = (scoped ? scoped[3] : legacy?.[2]) ?? "";
  if (scope === null) return { ok: false, reason: "malformed viewer token" };
  if (expiresAt < nowSeconds) return { ok: false, reason: "viewer token expired" };
  const expected = await tokenMac(secret, scope, expiresAt);
  if (!constantTimeEqual(expected, fromHex(mac))) return { ok: false, reason: "viewer token is not valid" };
  return scopeCovers(scope, matchId)
    ? { ok: true }
    : { ok: false, reason: "viewer token is for another match" };
}

/** Whether a match needs a token: listed by id, or by a prefix ending in `*`. */
export function isPrivateMatch(patterns: string[], matchId: string): boolean {
  return patterns.some((p) => scopeCovers(p, matchId));
}
