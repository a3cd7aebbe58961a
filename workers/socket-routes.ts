/**
 * The two routes a herd hits, a viewer's WebSocket to a match and to the ticker, answered
 * before the router: at the toss every viewer's join passes here, and the router's matching,
 * context and middleware chain were a third of a join's CPU in the Worker (measured:
 * docs/benchmarks.md, "Where a join's CPU goes"; the choice: docs/decisions.md 17). The
 * handlers are the routes' own (routes/live.ts, routes/ticker.ts), with the same checks, the
 * same connection limit and the same JSON errors; anything else goes on to the router.
 */
import { readConfig } from "../config/crease-config.ts";
import { JoinGate } from "../edge/join-gate.ts";
import { CLOSE_CODES } from "../protocol/live-messages.ts";
import { errorResponse, HttpError } from "./http-error.ts";
import { closedSocket } from "./room-door.ts";
import { openMatchSocket } from "./routes/live.ts";
import { openTickerSocket } from "./routes/ticker.ts";

const MATCH_SOCKET = /^\/v1\/matches\/([^/]+)\/ws$/;
const TICKER_SOCKET = "/v1/ticker/ws";

/** This isolate's joins in flight, for every socket route (VIEWER_JOINS_IN_FLIGHT). */
let gate: JoinGate | null = null;

/** The response for a socket route, or null for every other request. */
export function socketRoute(request: Request, env: Env): Promise<Response> | null {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  const match = url.pathname === TICKER_SOCKET ? null : MATCH_SOCKET.exec(url.pathname);
  if (url.pathname !== TICKER_SOCKET && !match?.[1]) return null;
  gate ??= new JoinGate(readConfig(env).viewers.joinsInFlight);
  const entry = gate.tryEnter(Math.random);
  if (!entry.ok) {
    const reason = "busy: too many viewers joining at once; retry later";
    return Promise.resolve(closedSocket(request, CLOSE_CODES.tryAgainLater, reason, entry.retryAfterMs));
  }
  const started = Date.now();
  // Async, so a bad id's error is an answer too and the join always leaves the gate.
  const open = (async () =>
    match?.[1]
      ? openMatchSocket(env, request, url, decoded(match[1]))
      : openTickerSocket(env, request, url))();
  const door = gate;
  return open.catch(errorResponse).finally(() => door.done(Date.now() - started));
}

/** A path segment as the router gives it (percent-decoded); one that does not decode is refused as an id. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "invalid_match_id", "the match id in the path is not valid percent-encoding");
  }
}
