import { Hono } from "hono";
import { ledgerStub } from "../../durable-objects/stubs.ts";
import { requireAdmin } from "../auth.ts";
import { HttpError } from "../http-error.ts";
import { intQuery, matchIdParam } from "../params.ts";

export const admin = new Hono<{ Bindings: Env }>();
admin.use("*", requireAdmin);

/** Lag of the match's ledger: received vs applied seq, the window, its slope and Burrow-style status. */
admin.get("/matches/:matchId/lag", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const report = await ledgerStub(c.env, matchId).lagReport();
  if (!report)
    throw new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  return c.json(report);
});

admin.get("/matches/:matchId/dead-letters", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  return c.json({ matchId, deadLetters: await ledgerStub(c.env, matchId).deadLetters() });
});

/** Re-applies a parked event in its place, e.g. after an engine fix was deployed. */
admin.post("/matches/:matchId/dead-letters/:seq/replay", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const seq = intQuery(c.req.param("seq"), "seq", { min: 1, max: 2 ** 31 - 1 });
  const result = await ledgerStub(c.env, matchId).replayDeadLetter(seq);
  if (!result.found)
    throw new HttpError(404, "no_dead_letter", `match "${matchId}" has no dead letter at seq ${seq}`);
  return c.json(
    { matchId, seq, applied: result.applied, deadLetter: result.deadLetter },
    result.applied ? 200 : 409,
  );
});

/** Marks a parked event as dealt with: it stays in the log, never applied. */
admin.post("/matches/:matchId/dead-letters/:seq/discard", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const seq = intQuery(c.req.param("seq"), "seq", { min: 1, max: 2 ** 31 - 1 });
  const result = await ledgerStub(c.env, matchId).discardDeadLetter(seq);
  if (!result.found)
    throw new HttpError(404, "no_dead_letter", `match "${matchId}" has no dead letter at seq ${seq}`);
  return c.json({ matchId, seq, discarded: true });
});

/** Forgets the match's edge registrations: notifications are lost until the regions report again. */
admin.post("/matches/:matchId/edge/forget", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  return c.json({ matchId, ...(await ledgerStub(c.env, matchId).forgetEdge()) });
});
