import { Hono } from "hono";
import { readConfig } from "../../config/crease-config.ts";
import { originAllowed } from "../../edge/allowed-origins.ts";
import { SUBPROTOCOL } from "../../protocol/live-messages.ts";
import { parseTickerEventId, parseTickerMessage, tickerEventId } from "../../protocol/ticker.ts";
import { HttpError } from "../http-error.ts";
import { intQuery } from "../params.ts";
import { enforceByAddress, limitByAddress } from "../rate-limit.ts";
import { connectRoom } from "../room-door.ts";
import { sseFromSocket } from "../sse-bridge.ts";
import { viewerRegion } from "../viewer-region.ts";

export const ticker = new Hono<{ Bindings: Env }>();
// The same per-address connection limit as the match feed; fails open (admission is the backstop).
ticker.use("/stream", limitByAddress("connect", "open"));

/**
 * GET /v1/ticker/ws[?since=S&epoch=E&region=R]: a headline for every public live (and recently
 * finished) match over one WebSocket, held by a ticker room of the viewer's region. Protocol:
 * docs/protocol.md, "Ticker". Answered before the router (workers/socket-routes.ts).
 */
export async function openTickerSocket(env: Env, request: Request, url: URL): Promise<Response> {
  const config = readConfig(env);
  // A new viewer sends no query at all: nothing to look up.
  const query = (name: string) => (url.search === "" ? undefined : (url.searchParams.get(name) ?? undefined));
  await enforceByAddress(env, request, "connect", "open");
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
    throw new HttpError(426, "upgrade_required", "this route speaks WebSocket: send Upgrade: websocket");
  const origin = request.headers.get("origin") ?? undefined;
  if (!originAllowed(origin, request.url, config.viewers.allowedOrigins))
    throw new HttpError(
      403,
      "origin_not_allowed",
      `the origin ${origin?.slice(0, 100)} may not open the ticker (ALLOWED_ORIGINS)`,
    );
  const position = tickerPosition(query("since"), query("epoch"));
  const region = viewerRegion(config.viewers, request, query("region"));
  return connectRoom(env, config, request, { feed: "ticker", region, ...position });
}

/**
 * GET /v1/ticker/stream: the same frames as Server-Sent Events. `id:` is `<epoch>.<seq>`,
 * so a reconnecting EventSource's Last-Event-ID resumes both. The Worker holds one socket to
 * the ticker room and turns frames into events, with the match feed's bounded backlog.
 */
ticker.get("/stream", async (c) => {
  const config = readConfig(c.env);
  const lastEventId = c.req.header("last-event-id");
  const resumed = lastEventId ? parseTickerEventId(lastEventId) : null;
  const position = resumed
    ? { since: resumed.seq, epoch: resumed.epoch }
    : tickerPosition(c.req.query("since"), c.req.query("epoch"));
  const region = viewerRegion(config.viewers, c.req.raw, c.req.query("region"));
  const upgrade = new Request(c.req.url, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": SUBPROTOCOL },
  });
  const response = await connectRoom(c.env, config, upgrade, {
    feed: "ticker",
    region,
    ...position,
    bridge: true,
  });
  const socket = response.webSocket;
  if (!socket) throw new HttpError(503, "unavailable", "the ticker is unavailable; retry shortly");
  socket.accept();

  let epoch: string | null = position.epoch ?? null;
  return sseFromSocket(socket, config.viewers.stream, (frame) => {
    const parsed = parseTickerMessage(frame);
    if (!parsed.ok) return null;
    const m = parsed.message;
    if (m.type === "headlines" || m.type === "resumed") epoch = m.epoch;
    const seq =
      m.type === "headlines" || m.type === "resumed" || m.type === "headline" || m.type === "unlisted"
        ? m.seq
        : null;
    const id = seq !== null && epoch !== null ? `id: ${tickerEventId(epoch, seq)}\n` : "";
    return `${id}event: ${m.type}\ndata: ${frame}\n\n`;
  });
});

function tickerPosition(
  sinceRaw: string | undefined,
  epochRaw: string | undefined,
): { since?: number; epoch?: string } {
  if (sinceRaw === undefined || sinceRaw === "") return {};
  const since = intQuery(sinceRaw, "since", { min: 0, max: 2 ** 31 - 1 });
  if (epochRaw === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(epochRaw))
    throw new HttpError(
      400,
      "invalid_parameter",
      '"since" needs its "epoch": 1 to 64 letters, digits, "_" or "-"',
    );
  return { since, epoch: epochRaw };
}
