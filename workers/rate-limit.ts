import type { MiddlewareHandler } from "hono";
import { fastReadFor } from "../fast-read/fast-read-config.ts";
import type { LimiterFailure } from "../fast-read/guarded-fast-read.ts";
import { LocalPrefilter } from "../fast-read/local-prefilter.ts";
import { rateLimitKey } from "./client-address.ts";
import { HttpError } from "./http-error.ts";

type RuleName = "connect" | "read" | "ingest";

/** A key may use this share of its limit in one isolate before the global counter is asked. */
const LOCAL_SHARE = 0.25;
const prefilters = new Map<string, LocalPrefilter>();

function prefilterFor(rule: RuleName, windowSeconds: number): LocalPrefilter {
  let prefilter = prefilters.get(rule);
  if (!prefilter) {
    prefilter = new LocalPrefilter(windowSeconds * 1000);
    prefilters.set(rule, prefilter);
  }
  return prefilter;
}

/**
 * Counts a request against a rate rule and refuses with 429 and Retry-After past it. Keys
 * stay in this isolate's own counter until they get busy (see LocalPrefilter). The key
 * is the client address Cloudflare sets (`CF-Connecting-IP`), an IPv6 address by its /64
 * (see client-address.ts); a request without one (a test harness calling the Worker directly)
 * is not counted. Under `wrangler dev` every client is the same loopback address. When the limiter is unavailable the
 * route's `onFailure` decides: "open" lets the request through, "closed" refuses it.
 */
export function limitByAddress(
  rule: RuleName,
  onFailure: LimiterFailure,
): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    await enforceByAddress(c.env, c.req.raw, rule, onFailure);
    await next();
  };
}

/** The check itself, for a route answered outside the router (workers/socket-routes.ts). */
export async function enforceByAddress(
  env: Env,
  request: Request,
  rule: RuleName,
  onFailure: LimiterFailure,
): Promise<void> {
  const address = request.headers.get("cf-connecting-ip");
  if (address) await enforce(env, rule, rateLimitKey(address), onFailure);
}

/** The same check for a key the route computes (the ingest route keys by provider). */
export async function enforce(
  env: Env,
  rule: RuleName,
  key: string,
  onFailure: LimiterFailure,
): Promise<void> {
  const { fastRead, config } = fastReadFor(env);
  const limits = config.rules[rule];
  const prefilter = prefilterFor(rule, limits.windowSeconds);
  const cost = prefilter.globalCost(key, Math.floor(limits.limit * LOCAL_SHARE), Date.now());
  if (cost === 0) return;
  const decision = await fastRead.limit(limits, key, onFailure, cost);
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new HttpError(
    429,
    decision.degraded ? "rate_limiter_unavailable" : "rate_limited",
    decision.degraded
      ? "the rate limiter is unavailable and this route fails closed; retry shortly"
      : `too many ${rule} requests; retry in ${seconds} s`,
    undefined,
    { "Retry-After": String(seconds) },
  );
}
