import type { CreaseConfig } from "../config/crease-config.ts";
import { roomFetcher } from "../durable-objects/stubs.ts";
import { jitteredRetryMs } from "../edge/admission.ts";
import { closeReason } from "../edge/close-reason.ts";
import type { Region } from "../edge/region.ts";
import { retryFrame } from "../protocol/frames.ts";
import { CLOSE_CODES, SUBPROTOCOL } from "../protocol/live-messages.ts";
import type { SnapshotEncoding } from "../protocol/room-handoff.ts";
import { encodeHandoff, parseRefusal } from "../protocol/room-handoff.ts";
import type { LiveFormat } from "../protocol/state-delta.ts";

export interface ViewerHandoff {
  matchId: string;
  region: Region;
  since?: number;
  epoch?: string;
  /** The SSE route's internal socket. */
  bridge?: boolean;
  format?: LiveFormat;
  snapshot?: SnapshotEncoding;
  moments?: boolean;
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
  config: CreaseConfig,
  request: Request,
  handoff: ViewerHandoff,
): Promise<Response> {
  const maxShards = config.room.maxShards;
  const key = `${handoff.matchId}/${handoff.region}`;
  const known = Math.min(openShards.get(key) ?? 1, maxShards);
  const start = Math.floor(Math.random() * known);
  for (let i = 0; i < maxShards; i++) {
    const shard = (start + i) % maxShards;
    const headers = encodeHandoff(request.headers, {
      matchId: handoff.matchId,
      region: handoff.region,
      shard,
      since: handoff.since,
      epoch: handoff.epoch,
      bridge: handoff.bridge ?? false,
      format: handoff.format ?? "json-patch",
      snapshot: handoff.snapshot ?? "json",
      moments: handoff.moments ?? false,
    });
    const room = roomFetcher(env, handoff.matchId, handoff.region, shard);
    const response = await room.fetch(new Request(request.url, { method: "GET", headers }));
    if (response.status === 101) {
      if (shard + 1 > known) openShards.set(key, shard + 1);
      return response;
    }
    const refusal = await parseRefusal(response);
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
 * The reason may name the match id, so it is cut to what a close frame carries: a close that
 * throws would be an HTTP 500, which the widget reads as "origin refused".
 */
export function closedSocket(code: number, reason: string, retryAfterMs?: number): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  if (retryAfterMs !== undefined) server.send(retryFrame(retryAfterMs, reason));
  server.close(code, closeReason(reason));
  return new Response(null, {
    status: 101,
    webSocket: client,
    headers: { "sec-websocket-protocol": SUBPROTOCOL },
  });
}
