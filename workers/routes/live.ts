import { Hono } from "hono";
import { readConfig } from "../../config/crease-config.ts";
import { originAllowed } from "../../edge/allowed-origins.ts";
import { parseServerMessage, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "../../protocol/live-wire.ts";
import { ANY_EPOCH, SNAPSHOT_ENCODINGS, type SnapshotEncoding } from "../../protocol/room-handoff.ts";
import { LIVE_FORMATS, type LiveFormat } from "../../protocol/state-delta.ts";
import { HttpError } from "../http-error.ts";
import { bearerToken, checkAccess, requireAccess } from "../match-access.ts";
import { intQuery, matchIdParam } from "../params.ts";
import { enforceByAddress, limitByAddress } from "../rate-limit.ts";
import { closedSocket, connectRoom } from "../room-door.ts";
import { sseFromSocket } from "../sse-bridge.ts";
import { viewerRegion } from "../viewer-region.ts";

export const live = new Hono<{ Bindings: Env }>();
// Connection attempts per address. Fails open: the rooms' admission control is the backstop,
// and a dead limiter must never stop viewers from (re)connecting to the live feed.
live.use("/:matchId/stream", limitByAddress("connect", "open"));

/**
 * GET /v1/matches/:matchId/ws[?since=SEQ&epoch=E&region=R]: the live feed over a WebSocket,
 * held by the viewer's regional room. Protocol: docs/protocol.md. Answered before the router
 * (workers/socket-routes.ts), with the same connection limit per address as every socket route.
 */
export async function openMatchSocket(
  env: Env,
  request: Request,
  url: URL,
  rawMatchId: string,
): Promise<Response> {
  const config = readConfig(env);
  const matchId = matchIdParam(rawMatchId);
  // A new viewer sends no query at all: nothing to look up.
  const query = (name: string) => (url.search === "" ? undefined : (url.searchParams.get(name) ?? undefined));
  const header = (name: string) => request.headers.get(name) ?? undefined;
  await enforceByAddress(env, request, "connect", "open");
  if (header("upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(426, "upgrade_required", "this route speaks WebSocket: send Upgrade: websocket");
  }
  const origin = header("origin");
  if (!originAllowed(origin, request.url, config.viewers.allowedOrigins)) {
    throw new HttpError(
      403,
      "origin_not_allowed",
      `the origin ${origin?.slice(0, 100)} may not open the live feed (ALLOWED_ORIGINS)`,
    );
  }
  const protocols = (header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const offered = protocols.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  const { since, epoch } = resumePoint(query("since"), query("epoch"));
  const format = query("format") ?? "json-patch";
  if (!isLiveFormat(format)) {
    throw new HttpError(400, "invalid_format", `"format" is one of ${LIVE_FORMATS.join(", ")}`);
  }
  const snapshot = query("snapshot") ?? "json";
  if (!isSnapshotEncoding(snapshot)) {
    throw new HttpError(400, "invalid_snapshot", `"snapshot" is one of ${SNAPSHOT_ENCODINGS.join(", ")}`);
  }
  const momentsAsked = query("moments") ?? "0";
  if (momentsAsked !== "0" && momentsAsked !== "1") {
    throw new HttpError(400, "invalid_moments", `"moments" is 1 (send moment messages) or 0`);
  }
  const region = viewerRegion(config.viewers, request, query("region"));
  // Browsers show no HTTP status for a failed handshake: the refusal is a close code (4001, 4004), never retried.
  const access = await checkAccess(
    env,
    config.viewers,
    matchId,
    offered?.slice(TOKEN_SUBPROTOCOL_PREFIX.length),
  );
  if (!access.ok) return closedSocket(request, access.closeCode, access.message);
  return connectRoom(env, config, request, {
    feed: "match",
    matchId,
    region,
    since,
    epoch,
    format,
    snapshot,
    moments: momentsAsked === "1",
  });
}

/**
 * GET /v1/matches/:matchId/stream: the same feed as Server-Sent Events, for clients that never
 * talk back. `id:` is the seq; a reconnecting EventSource sends it back as Last-Event-ID and
 * resumes from there. The Worker holds one socket to the room and turns frames into events.
 */
live.get("/:matchId/stream", async (c) => {
  const config = readConfig(c.env);
  const matchId = matchIdParam(c.req.param("matchId"));
  // EventSource can send no header: the token may come as ?token= here, and only here.
  const token = bearerToken(c.req.header("authorization")) ?? c.req.query("token");
  const lastEventId = c.req.header("last-event-id");
  const { since, epoch } = resumePoint(lastEventId ?? c.req.query("since"), c.req.query("epoch"));
  const region = viewerRegion(config.viewers, c.req.raw, c.req.query("region"));
  const { isPrivate } = await requireAccess(c.env, config.viewers, matchId, token);
  const upgrade = new Request(c.req.url, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": SUBPROTOCOL },
  });
  const response = await connectRoom(c.env, config, upgrade, {
    feed: "match",
    matchId,
    region,
    since,
    // EventSource only remembers the id: without an epoch the seq is taken against the room's current history.
    epoch: epoch ?? (since !== undefined ? ANY_EPOCH : undefined),
    bridge: true,
  });
  const socket = response.webSocket;
  if (!socket) throw new HttpError(503, "unavailable", "the live feed is unavailable; retry shortly");
  socket.accept();

  return sseFromSocket(
    socket,
    config.viewers.stream,
    (frame) => {
      const parsed = parseServerMessage(frame);
      if (!parsed.ok) return null;
      const message = parsed.message;
      const id = message.type === "snapshot" || message.type === "patch" ? `id: ${message.seq}\n` : "";
      return `${id}event: ${message.type}\ndata: ${frame}\n\n`;
    },
    isPrivate ? "private, no-store, no-transform" : "no-cache, no-transform",
  );
});

function resumePoint(
  sinceRaw: string | undefined,
  epochRaw: string | undefined,
): { since?: number; epoch?: string } {
  const since =
    sinceRaw === undefined || sinceRaw === ""
      ? undefined
      : intQuery(sinceRaw, "since", { min: 0, max: 2 ** 31 - 1 });
  if (epochRaw !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(epochRaw)) {
    throw new HttpError(400, "invalid_parameter", '"epoch" is 1 to 64 letters, digits, "_" or "-"');
  }
  return { since, epoch: epochRaw };
}

function isLiveFormat(value: string): value is LiveFormat {
  return (LIVE_FORMATS as readonly string[]).includes(value);
}

function isSnapshotEncoding(value: string): value is SnapshotEncoding {
  return (SNAPSHOT_ENCODINGS as readonly string[]).includes(value);
}
