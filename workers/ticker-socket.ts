import type { CreaseConfig } from "../config/crease-config.ts";
import { tickerRoomFetcher } from "../durable-objects/ticker-stubs.ts";
import { jitteredRetryMs } from "../edge/admission.ts";
import type { Region } from "../edge/region.ts";
import { CLOSE_CODES } from "../protocol/live-messages.ts";
import { parseRefusal } from "../protocol/room-handoff.ts";
import { encodeTickerHandoff } from "../protocol/ticker-handoff.ts";
import { closedSocket } from "./viewer-socket.ts";

/** Shards this isolate has seen open per region: new ticker viewers start at a random one. */
const openShards = new Map<string, number>();

/**
 * Hands a ticker WebSocket to a ticker room of the viewer's region with space, exactly as
 * `connectViewer` does for a match: a random known shard first, then the next ones; "busy"
 * means come back later (1013 with a jittered retry hint), never "try elsewhere now".
 */
export async function connectTicker(
  env: Env,
  config: CreaseConfig,
  request: Request,
  handoff: { region: Region; since?: number; epoch?: string; bridge?: boolean },
): Promise<Response> {
  const maxShards = config.room.maxShards;
  const known = Math.min(openShards.get(handoff.region) ?? 1, maxShards);
  const start = Math.floor(Math.random() * known);
  for (let i = 0; i < maxShards; i++) {
    const shard = (start + i) % maxShards;
    const headers = encodeTickerHandoff(request.headers, {
      region: handoff.region,
      shard,
      since: handoff.since,
      epoch: handoff.epoch,
      bridge: handoff.bridge ?? false,
    });
    const room = tickerRoomFetcher(env, handoff.region, shard);
    const response = await room.fetch(new Request(request.url, { method: "GET", headers }));
    if (response.status === 101) {
      if (shard + 1 > known) openShards.set(handoff.region, shard + 1);
      return response;
    }
    const refusal = await parseRefusal(response);
    if (refusal?.refused === "busy")
      return closedSocket(CLOSE_CODES.tryAgainLater, "ticker busy: retry later", refusal.retryAfterMs);
    if (refusal?.refused !== "full")
      return closedSocket(
        CLOSE_CODES.internalError,
        "ticker unavailable",
        jitteredRetryMs(1000, 4000, Math.random),
      );
  }
  return closedSocket(
    CLOSE_CODES.tryAgainLater,
    "every ticker shard is full",
    jitteredRetryMs(5000, 10_000, Math.random),
  );
}
