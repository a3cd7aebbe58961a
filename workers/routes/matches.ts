import { Hono } from "hono";
import { HttpError } from "../http-error.ts";
import { ledgerFor, matchIndex } from "../ledgers.ts";
import { intQuery, matchIdParam } from "../params.ts";

export const matches = new Hono<{ Bindings: Env }>();

/** GET /v1/matches: known matches with their status and seq. */
matches.get("/", async (c) => {
  return c.json({ matches: await matchIndex(c.env).list() });
});

/** GET /v1/matches/:matchId[?at=SEQ]: the state now, or as of a seq (time travel). */
matches.get("/:matchId", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const atRaw = c.req.query("at");
  const at = atRaw === undefined ? undefined : intQuery(atRaw, "at", { min: 0, max: 2 ** 31 - 1 });
  const snapshot = await ledgerFor(c.env, matchId).snapshot(at);
  if (!snapshot)
    throw new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  return c.json(snapshot);
});

/** GET /v1/matches/:matchId/events?after=SEQ&limit=N: pages through the log. */
matches.get("/:matchId/events", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const after = intQuery(c.req.query("after"), "after", { min: 0, max: 2 ** 31 - 1, fallback: 0 });
  const limit = intQuery(c.req.query("limit"), "limit", { min: 1, max: 1000, fallback: 100 });
  return c.json({ matchId, ...(await ledgerFor(c.env, matchId).events(after, limit)) });
});
