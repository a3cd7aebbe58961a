import { Hono, type MiddlewareHandler } from "hono";
import { fastReadFor } from "../../fast-read/fast-read-config.ts";
import { assertNever } from "../../protocol/assert-never.ts";
import { ledgerStub } from "../../rpc/ledger.ts";
import { matchIndexStub } from "../../rpc/match-index.ts";
import { roomStub } from "../../rpc/room.ts";
import { requireAdmin } from "../auth.ts";
import { HttpError } from "../http-error.ts";
import { forgetMatch } from "../match-directory.ts";
import { intQuery, matchIdParam } from "../params.ts";

export const admin = new Hono<{ Bindings: Env }>();
admin.use("*", requireAdmin);

const SEQ = { min: 1, max: 2 ** 31 - 1 };

function unknownMatch(matchId: string): HttpError {
  return new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
}

/**
 * Every route about one match asks the match index first, as the viewers' front door does: an
 * id that was never ingested is 404 before any ledger, room or read model is touched, because
 * touching one creates it (a ledger writes its tables as it starts). The index is asked
 * directly, not through the Worker's cached directory: an operator acting on a match just born,
 * or just removed, must get the truth, and admin calls are few.
 */
const knownMatch: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  if (!(await matchIndexStub(c.env).has(matchId))) throw unknownMatch(matchId);
  await next();
};
// The pattern covers `/matches/:matchId` itself too (DELETE).
admin.use("/matches/:matchId/*", knownMatch);

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

/**
 * Re-applies a parked event in its place, e.g. after an engine fix was deployed; one parked
 * `too far ahead` goes back into the log (`result: "buffered"` while the seqs before it are
 * still missing). 409 when the engine still refuses it.
 */
admin.post("/matches/:matchId/dead-letters/:seq/replay", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const seq = intQuery(c.req.param("seq"), "seq", SEQ);
  const { found, applied, result, deadLetter } = await ledgerStub(c.env, matchId).replayDeadLetter(seq);
  if (!found)
    throw new HttpError(404, "no_dead_letter", `match "${matchId}" has no dead letter at seq ${seq}`);
  return c.json({ matchId, seq, applied, result, deadLetter }, result === "dead" ? 409 : 200);
});

/** Marks a parked event as dealt with: never applied (one parked outside the log stays outside it). */
admin.post("/matches/:matchId/dead-letters/:seq/discard", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const seq = intQuery(c.req.param("seq"), "seq", SEQ);
  const result = await ledgerStub(c.env, matchId).discardDeadLetter(seq);
  if (!result.found)
    throw new HttpError(404, "no_dead_letter", `match "${matchId}" has no dead letter at seq ${seq}`);
  return c.json({ matchId, seq, discarded: true });
});

/**
 * Takes an event out of the buffer (e.g. a mistyped seq, before the gap timeout parks it): it
 * is kept as a discarded dead letter and its seq is free for the real event.
 */
admin.post("/matches/:matchId/buffered/:seq/discard", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const seq = intQuery(c.req.param("seq"), "seq", SEQ);
  const result = await ledgerStub(c.env, matchId).discardBuffered(seq);
  if (!result) throw unknownMatch(matchId);
  switch (result.kind) {
    case "discarded":
      return c.json({ matchId, seq, discarded: true, deadLetter: result.deadLetter });
    case "applied":
      throw new HttpError(
        409,
        "not_buffered",
        `seq ${seq} of match "${matchId}" is already applied (through ${result.cursor}); send a correction event to change it`,
      );
    case "parked":
      throw new HttpError(
        409,
        "not_buffered",
        `seq ${seq} of match "${matchId}" is not buffered but a dead letter ("${result.deadLetter.reason}", ${result.deadLetter.status}); use dead-letters/${seq}/discard`,
      );
    case "absent":
      throw new HttpError(
        404,
        "no_buffered_event",
        `match "${matchId}" has no buffered event at seq ${seq} (applied through ${result.cursor}; ` +
          `buffered: ${result.buffered.length === 0 ? "none" : result.buffered.join(", ")})`,
      );
    default:
      return assertNever(result);
  }
});

/**
 * An operator's word that a skipped gap will not be filled: it stops counting as an open hole
 * (the lag status can be OK again). A late event is still put in place if it comes.
 */
admin.post("/matches/:matchId/gaps/:fromSeq/acknowledge", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const fromSeq = intQuery(c.req.param("fromSeq"), "fromSeq", SEQ);
  const result = await ledgerStub(c.env, matchId).acknowledgeGap(fromSeq);
  if (!result) throw unknownMatch(matchId);
  switch (result.kind) {
    case "acknowledged":
      return c.json({ matchId, acknowledged: true, gap: result.gap });
    case "absent":
      throw new HttpError(
        404,
        "no_gap",
        `match "${matchId}" has no skipped gap starting at seq ${fromSeq} ` +
          `(gaps start at: ${result.gaps.length === 0 ? "none" : result.gaps.slice(0, 20).join(", ")})`,
      );
    default:
      return assertNever(result);
  }
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
