import { type Refusal, ROOM_HEADERS } from "../durable-objects/match-room.ts";
import { jitteredRetryMs } from "../edge/admission.ts";
import { roomName } from "../edge/fanout-tree.ts";
import type { Region } from "../edge/region.ts";
import { CLOSE_CODES, SUBPROTOCOL } from "../protocol/live-messages.ts";
import type { LiveFormat } from "../protocol/state-delta.ts";
import type { WorkerConfig } from "./config.ts";

export interface ViewerHandoff {
  matchId: string;
  region: Region;
  since?: number;
  epoch?: string;
  /** The SSE route's internal socket. */
  bridge?: boolean;
  format?: LiveFormat;
}

/**
 * Shards this isolate has seen open per (match, region): new viewers start at a random one of
 * them, so a region's viewers spread over its shards instead of all knocking on shard 0 first.
 */
const openShards = new Map<string, number>();

/**
 * Hands a WebSocket upgrade to a room with space: a random known shard first, then the next
 * ones until one admits. A room that is admitting too fast answers "busy", and the viewer is
 * told to come back later (1013 with a jittered retry hint) rather than sent to another shard:
 * a reconnect wave must be spread in time, not just in space.
 */
export async function connectViewer(
  env: Env,
  config: WorkerConfig,
  request: Request,
  handoff: ViewerHandoff,
): Promise<Response> {
  const key = `${handoff.matchId}/${handoff.region}`;
  const known = Math.min(openShards.get(key) ?? 1, config.maxShards);
  const start = Math.floor(Math.random() * known);
  for (let i = 0; i < config.maxShards; i++) {
    const shard = (start + i) % config.maxShards;
    const headers = new Headers(request.headers);
    headers.set(ROOM_HEADERS.matchId, handoff.matchId);
    headers.set(ROOM_HEADERS.region, handoff.region);
    headers.set(ROOM_HEADERS.shard, String(shard));
    if (handoff.since !== undefined) headers.set(ROOM_HEADERS.since, String(handoff.since));
    if (handoff.epoch !== undefined) headers.set(ROOM_HEADERS.epoch, handoff.epoch);
    if (handoff.bridge) headers.set(ROOM_HEADERS.bridge, "1");
    if (handoff.format) headers.set(ROOM_HEADERS.format, handoff.format);
    const id = env.MATCH_ROOM.idFromName(roomName(handoff.matchId, handoff.region, shard));
    const room = env.MATCH_ROOM.get(id, { locationHint: handoff.region });
    const response = await room.fetch(new Request(request.url, { method: "GET", headers }));
    if (response.status === 101) {
      if (shard + 1 > known) openShards.set(key, shard + 1);
      return response;
    }
    const refusal = (await response.json().catch(() => null)) as Refusal | null;
    if (refusal?.refused === "busy") {
      return closedSocket(CLOSE_CODES.tryAgainLater, "room busy: retry later", refusal.retryAfterMs);
    }
    if (refusal?.refused !== "full") {
      return closedSocket(
        CLOSE_CODES.internalError,
        "room unavailable",
        jitteredRetryMs(1000, 4000, Math.random),
      );
    }
  }
  return closedSocket(
    CLOSE_CODES.tryAgainLater,
    "every shard is full",
    jitteredRetryMs(5000, 10_000, Math.random),
  );
}

/**
 * Accepts the upgrade only to say why it ends: browsers show no HTTP status for a failed
 * handshake, so a refusal the client should act on (retry later, or never) is a close code.
 */
export function closedSocket(code: number, reason: string, retryAfterMs?: number): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  if (retryAfterMs !== undefined)
    server.send(JSON.stringify({ type: "retry", afterMs: retryAfterMs, reason }));
  server.close(code, reason);
  return new Response(null, {
    status: 101,
    webSocket: client,
    headers: { "sec-websocket-protocol": SUBPROTOCOL },
  });
}
