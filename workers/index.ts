import { Hono } from "hono";
import { fastReadFor } from "../fast-read/fast-read-config.ts";
import { HttpError, notFound, onError } from "./http-error.ts";
import { admin } from "./routes/admin.ts";
import { conflicts } from "./routes/conflicts.ts";
import { ingest } from "./routes/ingest.ts";
import { live } from "./routes/live.ts";
import { matches } from "./routes/matches.ts";
import { metrics } from "./routes/metrics.ts";
import { ticker } from "./routes/ticker.ts";
import { webhooks } from "./routes/webhooks.ts";
import { socketRoute } from "./socket-routes.ts";
import { handleQueue } from "./webhook-queues.ts";

export { FastReadStore } from "../durable-objects/fast-read-store.ts";
export { MatchIndex } from "../durable-objects/match-index.ts";
export { MatchLedger } from "../durable-objects/match-ledger.ts";
export { MatchRoom } from "../durable-objects/match-room.ts";
export { TickerRoom } from "../durable-objects/ticker-room.ts";
export { WebhookRegistry } from "../durable-objects/webhook-registry.ts";

const app = new Hono<{ Bindings: Env }>();

/** Liveness, and which fast-read layer this deployment runs (Upstash or the embedded default). */
app.get("/health", (c) => {
  const { fastRead } = fastReadFor(c.env);
  return c.json({ ok: true, fastRead: { mode: fastRead.mode, breaker: fastRead.breakerState() } });
});
app.route("/v1/ingest", ingest);
app.route("/v1/matches", live);
app.route("/v1/matches", matches);
app.route("/v1/admin", admin);
app.route("/v1/admin", conflicts);
app.route("/v1/admin/webhooks", webhooks);
app.route("/v1/ticker", ticker);
app.route("/metrics", metrics);
app.all("/v1/ingest", () => {
  throw new HttpError(405, "method_not_allowed", "use POST /v1/ingest");
});
app.notFound(notFound);
app.onError(onError);

export default {
  /** A viewer's socket (the herd's route) before the router; everything else through it. */
  fetch: (request, env, ctx) => socketRoute(request, env) ?? app.fetch(request, env, ctx),
  /** The partner webhooks' queues (workers/webhook-queues.ts). */
  queue: (batch, env) => handleQueue(batch, env),
} satisfies ExportedHandler<Env>;
