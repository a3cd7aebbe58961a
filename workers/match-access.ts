import type { CreaseConfig } from "../config/crease-config.ts";
import { isPrivateMatch, verifyViewerToken } from "../edge/viewer-token.ts";
import { CLOSE_CODES } from "../protocol/live-messages.ts";
import { HttpError } from "./http-error.ts";
import { matchExists } from "./match-directory.ts";

/**
 * The viewer's front door, in front of every route that reveals anything about a match
 * (state, time travel, events, presence, the live feed): a private match needs a valid
 * viewer token, and a match that was never ingested does not exist. Both are decided here,
 * before any ledger, room or read model is touched, so a refused reader costs nothing and
 * creates nothing. The token is checked first, so a private id's existence is not revealed.
 */
export type Access =
  | { ok: true; isPrivate: boolean }
  | { ok: false; status: 401 | 404; code: string; message: string; closeCode: number };

export async function checkAccess(
  env: Env,
  viewers: CreaseConfig["viewers"],
  matchId: string,
  token: string | undefined,
): Promise<Access> {
  const isPrivate = isPrivateMatch(viewers.privateMatches, matchId);
  if (isPrivate) {
    const refused = (message: string): Access => ({
      ok: false,
      status: 401,
      code: "unauthorized",
      message,
      closeCode: CLOSE_CODES.unauthorized,
    });
    if (!viewers.viewerTokenSecret) return refused("private match, but no VIEWER_TOKEN_SECRET is configured");
    if (!token) return refused("private match: a viewer token is required");
    const verdict = await verifyViewerToken(
      viewers.viewerTokenSecret,
      matchId,
      token,
      Math.floor(Date.now() / 1000),
    );
    if (!verdict.ok) return refused(`private match: ${verdict.reason}`);
  }
  if (!(await matchExists(env, matchId))) {
    return {
      ok: false,
      status: 404,
      code: "unknown_match",
      message: `no events have been received for match "${matchId}"`,
      closeCode: CLOSE_CODES.unknownMatch,
    };
  }
  return { ok: true, isPrivate };
}

/** The HTTP form: throws the refusal as a JSON error. */
export async function requireAccess(
  env: Env,
  viewers: CreaseConfig["viewers"],
  matchId: string,
  token: string | undefined,
): Promise<{ isPrivate: boolean }> {
  const access = await checkAccess(env, viewers, matchId, token);
  if (!access.ok) {
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (access.status === 401) headers["www-authenticate"] = 'Bearer realm="crease"';
    throw new HttpError(access.status, access.code, access.message, undefined, headers);
  }
  return { isPrivate: access.isPrivate };
}

/** `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? "");
  return match?.[1];
}

/** Cache headers for a match's response: shared caches may keep public matches, never private ones. */
export function cacheFor(isPrivate: boolean, publicValue: string): string {
  return isPrivate ? "private, no-store" : publicValue;
}
