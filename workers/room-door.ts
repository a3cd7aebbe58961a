import type { CreaseConfig } from "../config/crease-config.ts";
import { jitteredRetryMs } from "../edge/admission.ts";
import { closeReason } from "../edge/close-reason.ts";
import type { Region } from "../edge/region.ts";
import { retryFrame } from "../protocol/frames.ts";
import { CLOSE_CODES, SUBPROTOCOL } from "../protocol/live-messages.ts";
import {
  encodeHandoff,
  type MatchHandoff,
  parseRefusal,
  type RoomHandoff,
  type TickerHandoff,
} from "../protocol/room-handoff.ts";
import { roomFetcher } from "../rpc/room.ts";
import { tickerRoomFetcher } from "../rpc/ticker-room.ts";

/** What a route hands the door: the feed, the viewer's region and resume point; the door picks the shard. */
export type DoorHandoff =
  | (Omit<MatchHandoff, "shard" | "bridge" | "format" | "snapshot" | "moments" | "region"> &
      Partial<Pick<MatchHandoff, "bridge" | "format" | "snapshot" | "moments">> & { region: Region })
  | (Omit<TickerHandoff, "shard" | "bridge" | "region"> &
      Partial<Pick<TickerHandoff, "bridge">> & {
        region: Region;
      });

/**
 * Shards this isolate has seen open per feed and region: new viewers start at a random one of
 * them, so a region's viewers spread over its shards instead of all knocking on shard 0 first.
 */
const openShards = new Map<string, number>();

/**
 * The one socket door for every feed: hands a WebSocket upgrade to a room with space, a random
 * known shard first, then the next ones until one admits. A room that is admitting too fast
 * answers "busy", and the viewer is told to come back later (1013 with a jittered retry hint)
 * rather than sent to another shard: a reconnect wave must be spread in time, not just in space.
 */
export async function connectRoom(
  env: Env,
  config: CreaseConfig,
  request: Request,
  door: DoorHandoff,
): Promise<Response> {
  const maxShards = config.room.maxShards;
  const key = door.feed === "match" ? `match/${door.matchId}/${door.region}` : `ticker/${door.region}`;
  const known = Math.min(openShards.get(key) ?? 1, maxShards);
  const start = Math.floor(Math.random() * known);
  const what = door.feed === "match" ? "room" : "ticker";
  for (let i = 0; i < maxShards; i++) {
    const shard = (start + i) % maxShards;
    const handoff: RoomHandoff =
      door.feed === "match"
        ? {
            ...door,
            shard,
            bridge: door.bridge ?? false,
            format: door.format ?? "json-patch",
            snapshot: door.snapshot ?? "json",
            moments: door.moments ?? false,
          }
        : { ...door, shard, bridge: door.bridge ?? false };
    const room =
      door.feed === "match"
        ? roomFetcher(env, door.matchId, door.region, shard)
        : tickerRoomFetcher(env, door.region, shard);
    const headers = encodeHandoff(request.headers, handoff);
    const response = await room.fetch(new Request(request.url, { method: "GET", headers }));
    if (response.status === 101) {
      if (shard + 1 > known) openShards.set(key, shard + 1);
      return response;
    }
    const refusal = await parseRefusal(response);
    if (refusal?.refused === "busy") {
      return closedSocket(
        request,
        CLOSE_CODES.tryAgainLater,
        `${what} busy: retry later`,
        refusal.retryAfterMs,
      );
    }
    if (refusal?.refused !== "full") {
      return closedSocket(
        request,
        CLOSE_CODES.internalError,
        `${what} unavailable`,
        jitteredRetryMs(1000, 4000, Math.random),
      );
    }
  }
  return closedSocket(
    request,
    CLOSE_CODES.tryAgainLater,
    door.feed === "match" ? "every shard is full" : "every ticker shard is full",
    jitteredRetryMs(5000, 10_000, Math.random),
  );
}

/**
 * Accepts the upgrade only to say why it ends: browsers show no HTTP status for a failed
 * handshake, so a refusal the client should act on (retry later, or never) is a close code.
 * The reason may name the match id, so it is cut to what a close frame carries: a close that
 * throws would be an HTTP 500, which the widget reads as "origin refused".
 *
 * Two quirks, both seen with a plain client (`new WebSocket(url)`, no subprotocol, sending nothing):
 * - The subprotocol is echoed only when the client offered it: a client that offered none fails
 *   a handshake that names one (1006, "Server sent a subprotocol but none was requested") and
 *   never reads the close code.
 * - The server end is accepted and closed a turn after the 101 is returned, not before. workerd
 *   starts pumping the returned end to the network when the handler returns; an end accepted
 *   before that keeps reading past the client's close frame, and releasing it then fails the
 *   pump ("other end of WebSocketPipe was destroyed"), which the runtime logs as the request's
 *   uncaught "Network connection lost." once per refused viewer. A timer, not a microtask: the
 *   pump starts after the handler's promise settles.
 */
export function closedSocket(
  request: Request,
  code: number,
  reason: string,
  retryAfterMs?: number,
): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  setTimeout(() => {
    server.accept();
    if (retryAfterMs !== undefined) server.send(retryFrame(retryAfterMs, reason));
    server.close(code, closeReason(reason));
  }, 0);
  return new Response(null, {
    status: 101,
    webSocket: client,
    headers: offersSubprotocol(request) ? { "sec-websocket-protocol": SUBPROTOCOL } : {},
  });
}

function offersSubprotocol(request: Request): boolean {
  const offered = request.headers.get("sec-websocket-protocol") ?? "";
  return offered.split(",").some((protocol) => protocol.trim() === SUBPROTOCOL);
}
