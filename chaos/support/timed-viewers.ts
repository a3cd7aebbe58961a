import { type Subscription, subscribe } from "../../client/index.ts";
import type { MatchState } from "../../scoring/index.ts";
import { PlainWebSocket } from "./plain-websocket.ts";

/**
 * `count` client-library viewers in one room (weur, shard 0 at the default room size), each
 * recording when every seq arrived: the neighbours a misbehaving socket could hurt.
 */
export function timedViewers(
  base: string,
  matchId: string,
  count: number,
): { viewers: Subscription<MatchState>[]; arrivals: Map<Subscription<MatchState>, Map<number, number>> } {
  const arrivals = new Map<Subscription<MatchState>, Map<number, number>>();
  const viewers: Subscription<MatchState>[] = [];
  for (let i = 0; i < count; i++) {
    const sub = subscribe<MatchState>({ baseUrl: base, matchId, region: "weur", WebSocket: PlainWebSocket });
    const seen = new Map<number, number>();
    sub.on("update", ({ seq }) => seen.set(seq, performance.now()));
    arrivals.set(sub, seen);
    viewers.push(sub);
  }
  return { viewers, arrivals };
}

/** A raw socket on the same room as {@link timedViewers}: the scenario drives it by hand. */
export function rawViewerSocket(base: string, matchId: string): PlainWebSocket {
  return new PlainWebSocket(`${base.replace(/^http/, "ws")}/v1/matches/${matchId}/ws?region=weur`, [
    "crease.v1",
  ]);
}
