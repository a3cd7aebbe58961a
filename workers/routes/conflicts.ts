import { Hono } from "hono";
import { z } from "zod";
import { assertNever } from "../../protocol/assert-never.ts";
import { ledgerStub } from "../../rpc/ledger.ts";
import { requireAdmin } from "../auth.ts";
import { HttpError } from "../http-error.ts";
import { matchExists } from "../match-directory.ts";
import { intQuery, matchIdParam } from "../params.ts";

/**
 * The operator's word on a conflict: two different bodies for one seq (docs/decisions.md,
 * "Conflicts hold the match"). The lag report lists each open conflict with both bodies; this
 * keeps one, and the match goes on from there.
 */
export const conflicts = new Hono<{ Bindings: Env }>();
conflicts.use("*", requireAdmin);

const resolveBody = z.strictObject({ keep: z.enum(["stored", "incoming"]) });

/**
 * POST /v1/admin/matches/:matchId/conflicts/:seq/resolve `{"keep": "stored" | "incoming"}`:
 * `stored` keeps the event the log holds; `incoming` puts the newest different body in its place
 * (for an applied seq, history is recomputed from there, as for a late event).
 */
conflicts.post("/matches/:matchId/conflicts/:seq/resolve", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const seq = intQuery(c.req.param("seq"), "seq", { min: 1, max: 2 ** 31 - 1 });
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new HttpError(
      400,
      "invalid_json",
      'the body must be JSON: {"keep": "stored"} or {"keep": "incoming"}',
    );
  }
  const body = resolveBody.safeParse(raw);
  if (!body.success)
    throw new HttpError(
      400,
      "invalid_body",
      '"keep" must be "stored" or "incoming", and nothing else is allowed',
    );
  // An id never ingested has no ledger: asking it would create one.
  if (!(await matchExists(c.env, matchId)))
    throw new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  const result = await ledgerStub(c.env, matchId).resolveConflict(seq, body.data.keep);
  if (!result)
    throw new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  switch (result.kind) {
    case "resolved":
      return c.json({ matchId, seq, kept: result.kept, appliedSeq: result.cursor });
    case "absent":
      throw new HttpError(
        404,
        "no_conflict",
        `match "${matchId}" has no open conflict at seq ${seq}` +
          (result.open.length > 0 ? ` (open at: ${result.open.join(", ")})` : ""),
      );
    default:
      return assertNever(result);
  }
});
