import { Hono } from "hono";

export { MatchLedger } from "../durable-objects/match-ledger.ts";

const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ ok: true }));

export default app satisfies ExportedHandler<Env>;
