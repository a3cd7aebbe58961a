/**
 * The two routes a herd hits, a viewer's WebSocket to a match and to the ticker, answered
 * before the router: at the toss every viewer's join passes here, and the router's matching,
 * context and middleware chain were a third of a join's CPU in the Worker (measured:
 * docs/benchmarks.md, "Where a join's CPU goes"; the choice: docs/decisions.md 17). The
 * handlers are the routes' own (routes/live.ts, routes/ticker.ts), with the same checks, the
 * same connection limit and the same JSON errors; anything else goes on to the router.
 */
import { errorResponse, HttpError } from "./http-error.ts";
import { openMatchSocket } from "./routes/live.ts";
import { openTickerSocket } from "./routes/ticker.ts";

const MATCH_SOCKET = /^\/v1\/matches\/([^/]+)\/ws$/;
const TICKER_SOCKET = "/v1/ticker/ws";

/** The response for a socket route, or null for every other request. */
export function socketRoute(request: Request, env: Env): Promise<Response> | null {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.pathname === TICKER_SOCKET) return openTickerSocket(env, request, url).catch(errorResponse);
  const match = MATCH_SOCKET.exec(url.pathname);
  if (!match?.[1]) return null;
  const id = match[1];
  return openMatchSocket(env, request, url, decoded(id)).catch(errorResponse);
}

/** A path segment as the router gives it (percent-decoded); one that does not decode is refused as an id. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "invalid_match_id", "the match id in the path is not valid percent-encoding");
  }
}
