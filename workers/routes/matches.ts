import { Hono } from "hono";
import { readConfig } from "../../config/crease-config.ts";
import { presenceFreshMs } from "../../edge/presence.ts";
import { isPrivateMatch } from "../../edge/viewer-token.ts";
import { fastReadFor } from "../../fast-read/fast-read-config.ts";
import { MOMENTS_PAGE_LIMIT } from "../../origin/ledger/moment-store.ts";
import type { MomentsPage } from "../../protocol/moments.ts";
import { ledgerStub } from "../../rpc/ledger.ts";
import { matchIndexStub } from "../../rpc/match-index.ts";
import { HttpError } from "../http-error.ts";
import { bearerToken, cacheFor, requireAccess } from "../match-access.ts";
import { intQuery, matchIdParam } from "../params.ts";
import { limitByAddress } from "../rate-limit.ts";
import { readMatch } from "../read-model.ts";

export const matches = new Hono<{ Bindings: Env; Variables: { isPrivate: boolean } }>();
// Reads are what a herd of refreshing browsers sends: limited per address, failing open
// (a dead limiter must not take reads down; the read model and the ledger absorb the load).
matches.use("*", limitByAddress("read", "open"));

/** GET /v1/matches: the public matches with their score lines, status and viewers (never private ones). */
matches.get("/", async (c) => {
  const { privateMatches } = readConfig(c.env).viewers;
  const list = (await matchIndexStub(c.env).list()).filter((m) => !isPrivateMatch(privateMatches, m.matchId));
  return c.json({ matches: list }, 200, { "cache-control": "public, max-age=2" });
});

/**
 * Every route of a match (this pattern matches `/:matchId` too), including any added later:
 * a private match needs its token, and an unknown match is a 404, before anything is read.
 */
matches.use("/:matchId/*", async (c, next) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const { viewers } = readConfig(c.env);
  const { isPrivate } = await requireAccess(
    c.env,
    viewers,
    matchId,
    bearerToken(c.req.header("authorization")),
  );
  c.set("isPrivate", isPrivate);
  await next();
  if (isPrivate) c.header("cache-control", "private, no-store");
});

/**
 * GET /v1/matches/:matchId[?at=SEQ]: the state now, or as of a seq (time travel). "Now" comes
 * from the read model (seconds-fresh, cacheable); `Cache-Control: no-cache` on the request, or
 * `?at=`, asks the ledger itself.
 */
matches.get("/:matchId", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const isPrivate = c.get("isPrivate");
  const atRaw = c.req.query("at");
  const at = atRaw === undefined ? undefined : intQuery(atRaw, "at", { min: 0, max: 2 ** 31 - 1 });
  const unknown = () =>
    new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  if (at === undefined && !/no-cache/i.test(c.req.header("cache-control") ?? "")) {
    const found = await readMatch(c.env, matchId, (p) => c.executionCtx.waitUntil(p));
    if (!found) throw unknown();
    return c.json(found.match, 200, {
      "cache-control": cacheFor(isPrivate, "public, max-age=1, stale-while-revalidate=5"),
      "x-crease-source": found.source,
    });
  }
  const snapshot = await ledgerStub(c.env, matchId).snapshot(at);
  if (!snapshot) throw unknown();
  // A past seq never changes (until an epoch change): time travel can be cached for a while.
  return c.json(snapshot, 200, {
    "cache-control":
      at === undefined ? cacheFor(isPrivate, "no-cache") : cacheFor(isPrivate, "public, max-age=60"),
    "x-crease-source": "ledger",
  });
});

/** GET /v1/matches/:matchId/presence: viewers per region from the fast-read layer (`stale` when it is down). */
matches.get("/:matchId/presence", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const { fastRead } = fastReadFor(c.env);
  const { presenceIntervalMs } = readConfig(c.env).room;
  const counts = await fastRead.presence(matchId, Date.now(), presenceFreshMs(presenceIntervalMs));
  return c.json({ matchId, ...counts }, 200, { "cache-control": "public, max-age=2" });
});

/**
 * GET /v1/matches/:matchId/moments?after=SEQ&limit=N: the moments announced with seq > after
 * (default 0), in order, at most `limit` (default and most MOMENTS_PAGE_LIMIT, 500); the moments
 * of one seq always come together, so asking again with the last seq received misses nothing.
 */
matches.get("/:matchId/moments", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const after = intQuery(c.req.query("after"), "after", { min: 0, max: 2 ** 31 - 1, fallback: 0 });
  const limit = intQuery(c.req.query("limit"), "limit", {
    min: 1,
    max: MOMENTS_PAGE_LIMIT,
    fallback: MOMENTS_PAGE_LIMIT,
  });
  const moments = await ledgerStub(c.env, matchId).momentsAfter(after, limit);
  if (moments === null) {
    throw new HttpError(404, "unknown_match", `no events have been received for match "${matchId}"`);
  }
  const page: MomentsPage = { matchId, moments };
  return c.json(page, 200, { "cache-control": cacheFor(c.get("isPrivate"), "public, max-age=1") });
});

/** GET /v1/matches/:matchId/events?after=SEQ&limit=N: pages through the log. */
matches.get("/:matchId/events", async (c) => {
  const matchId = matchIdParam(c.req.param("matchId"));
  const after = intQuery(c.req.query("after"), "after", { min: 0, max: 2 ** 31 - 1, fallback: 0 });
  const limit = intQuery(c.req.query("limit"), "limit", { min: 1, max: 1000, fallback: 100 });
  return c.json({ matchId, ...(await ledgerStub(c.env, matchId).events(after, limit)) });
});
