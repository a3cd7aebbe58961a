import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "../protocol/live-wire.ts";
import type { LiveFormat } from "../protocol/state-delta.ts";

/** Where a connection resumes from: both halves, or neither (a seq means nothing in another epoch). */
export interface StreamPosition {
  seq: number;
  epoch: string;
}

/**
 * The WebSocket URL of a feed: `{baseUrl}{path}`, with `since`+`epoch` when resuming and
 * `region` when pinned. An `http(s)` base becomes `ws(s)`, so the same base URL serves the
 * REST API and the feeds.
 */
export function feedUrl(
  baseUrl: string,
  path: string,
  position: StreamPosition | null,
  region: string | undefined,
): URL {
  const url = new URL(baseUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol === "https:") url.protocol = "wss:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  if (position) {
    url.searchParams.set("since", String(position.seq));
    url.searchParams.set("epoch", position.epoch);
  }
  if (region) url.searchParams.set("region", region);
  return url;
}

/**
 * The WebSocket URL of a match's live feed: `{baseUrl}/v1/matches/:matchId/ws`, as
 * {@link feedUrl}, with `format` when not JSON Patch and `snapshot=gzip` when the runtime can
 * inflate gzipped snapshots.
 */
export function liveUrl(
  baseUrl: string,
  matchId: string,
  position: StreamPosition | null,
  region: string | undefined,
  format: LiveFormat = "json-patch",
  gzipSnapshots = false,
): string {
  const url = feedUrl(baseUrl, `/v1/matches/${encodeURIComponent(matchId)}/ws`, position, region);
  if (format !== "json-patch") url.searchParams.set("format", format);
  if (gzipSnapshots) url.searchParams.set("snapshot", "gzip");
  return url.toString();
}

/** Snapshots may come gzipped (a tenth of the bytes) where the runtime can inflate them. */
export function canGunzip(): boolean {
  return typeof Reflect.get(globalThis, "DecompressionStream") === "function";
}

/**
 * The subprotocols to offer: always `crease.v1`, and a private match's token as a second
 * one, because a browser cannot set headers on a WebSocket handshake.
 */
export function liveSubprotocols(token: string | undefined): string[] {
  if (token === undefined) return [SUBPROTOCOL];
  // A subprotocol must be an HTTP token; checked here, because the WebSocket constructor's
  // own refusal (a SyntaxError) would otherwise surface on some later reconnect.
  if (!HTTP_TOKEN.test(token)) throw new TypeError("token must be a non-empty HTTP token (RFC 7230 tchar)");
  return [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];
}

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
