import { Hono } from "hono";
import { fastReadFor } from "../../adapters/fast-read-config.ts";
import { ledgerStub, matchIndexStub, roomStub } from "../../durable-objects/stubs.ts";
import { requireAdmin } from "../auth.ts";
import { HttpError } from "../http-error.ts";
import { forgetMatch } from "../match-directory.ts";
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

/**
 * Removes a match entirely, for test matches and cleaning up: its ledger (log, snapshots, dead
 * letters), its rooms in every region (their viewers are closed with 4004), its read model and
 * presence, and its listing. Readers get 404 from then on (other isolates within a minute, as
 * their cache of known ids expires); a new signed event would start the match afresh.
 */
admin.delete("/matches/:matchId", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const ledger = await ledgerStub(c.env, matchId).remove();
  const hubs = await Promise.allSettled(
    ledger.regions.map((region) => roomStub(c.env, matchId, region, 0).remove()),
  );
  const readModel = await fastReadFor(c.env).fastRead.deleteMatch(matchId);
  await matchIndexStub(c.env).remove(matchId);
  forgetMatch(matchId);
  if (!ledger.removed)
    throw new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  return c.json({
    matchId,
    removed: true,
    regions: ledger.regions,
    roomsFailed: hubs.filter((h) => h.status === "rejected").length,
    readModelRemoved: readModel,
  });
});

/** Forgets the match's edge registrations: notifications are lost until the regions report again. */
admin.post("/matches/:matchId/edge/forget", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  return c.json({ matchId, ...(await ledgerStub(c.env, matchId).forgetEdge()) });
});
