import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../../../origin/signature.ts";
import { percentile, RECENT_ATTEMPTS, recentStats } from "../../../../origin/webhooks/delivery-stats.ts";
import { matchSelected, namesMatch, recipients, wants } from "../../../../origin/webhooks/endpoint-filter.ts";
import { afterAttempt } from "../../../../origin/webhooks/endpoint-health.ts";
import { newEndpointId, newSigningSecret } from "../../../../origin/webhooks/endpoint-secret.ts";
import { signDelivery } from "../../../../origin/webhooks/outbound-signature.ts";

const HOUR = 3_600_000;

describe("endpoint filters", () => {
  const wicket = { kind: "wicket" as const, matchId: "ipl-2026-01" };
  it("no filter wants everything; kinds and matches must both pass", () => {
    expect(wants({ kinds: null, matches: null }, wicket, "public")).toBe(true);
    expect(wants({ kinds: ["wicket", "six"], matches: null }, wicket, "public")).toBe(true);
    expect(wants({ kinds: ["six"], matches: null }, wicket, "public")).toBe(false);
    expect(wants({ kinds: null, matches: ["ipl-2026-01"] }, wicket, "public")).toBe(true);
    expect(wants({ kinds: null, matches: ["ipl-2026-0"] }, wicket, "public")).toBe(false);
    expect(wants({ kinds: ["wicket"], matches: ["bbl-*"] }, wicket, "public")).toBe(false);
  });
  it("a pattern ending in * is a prefix; * alone is every match", () => {
    expect(matchSelected(["ipl-*"], "ipl-2026-01")).toBe(true);
    expect(matchSelected(["ipl-*"], "bbl-2026-01")).toBe(false);
    expect(matchSelected(["*"], "anything")).toBe(true);
    expect(matchSelected([], "anything")).toBe(false);
  });
  it("a retraction goes to those who asked for retractions or for the kind it takes back", () => {
    const retraction = { kind: "retraction" as const, matchId: "m", retractedKind: "wicket" as const };
    expect(wants({ kinds: ["wicket"], matches: null }, retraction, "public")).toBe(true);
    expect(wants({ kinds: ["retraction"], matches: null }, retraction, "public")).toBe(true);
    expect(wants({ kinds: ["six"], matches: null }, retraction, "public")).toBe(false);
    expect(wants({ kinds: ["wicket"], matches: null }, { kind: "retraction", matchId: "m" }, "public")).toBe(
      false,
    );
    expect(wants({ kinds: ["wicket"], matches: ["other"] }, retraction, "public")).toBe(false);
  });
  it("paused endpoints get none", () => {
    const subscribers = [
      { id: "a", status: "active" as const, kinds: null, matches: null },
      { id: "b", status: "paused" as const, kinds: null, matches: null },
      { id: "c", status: "active" as const, kinds: ["six" as const], matches: null },
    ];
    expect(recipients(subscribers, wicket, "public")).toEqual(["a"]);
  });
  it("a private match goes only to endpoints that name it exactly: not to 'all', a prefix or '*'", () => {
    const secret = { kind: "wicket" as const, matchId: "private-final" };
    const subscribers = [
      { id: "all", status: "active" as const, kinds: null, matches: null },
      { id: "star", status: "active" as const, kinds: null, matches: ["*"] },
      { id: "prefix", status: "active" as const, kinds: null, matches: ["private-*"] },
      { id: "other", status: "active" as const, kinds: null, matches: ["private-semi"] },
      { id: "named", status: "active" as const, kinds: null, matches: ["ipl-*", "private-final"] },
      { id: "named-six", status: "active" as const, kinds: ["six" as const], matches: ["private-final"] },
      { id: "named-paused", status: "paused" as const, kinds: null, matches: ["private-final"] },
    ];
    expect(recipients(subscribers, secret, "private")).toEqual(["named"]);
    // The same match, were it public, would go to every pattern that covers it.
    expect(recipients(subscribers, secret, "public")).toEqual(["all", "star", "prefix", "named"]);
    // A retraction of a private match's moment follows the same rule.
    const retraction = {
      kind: "retraction" as const,
      matchId: "private-final",
      retractedKind: "wicket" as const,
    };
    expect(recipients(subscribers, retraction, "private")).toEqual(["named"]);
    expect(namesMatch(null, "private-final")).toBe(false);
    expect(namesMatch(["private-final*"], "private-final")).toBe(false);
    expect(namesMatch(["private-final"], "private-final")).toBe(true);
  });
});

describe("outbound signatures", () => {
  const body = JSON.stringify({ id: "m:1:wicket:x", kind: "wicket", note: "ünïcode" });
  const hmac = (secret: string, t: number) =>
    createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

  it("are t=<unix s>,v1=<hex HMAC-SHA256 of 't.body'>, as an independent Node HMAC computes it", async () => {
    const secret = newSigningSecret();
    const header = await signDelivery([secret], body, 1_750_000_000);
    expect(header).toBe(`t=1750000000,v1=${hmac(secret, 1_750_000_000)}`);
  });

  it("carry one v1 per secret, the current first, and the inbound verifier accepts either", async () => {
    const header = await signDelivery(["new-secret", "old-secret"], body, 1_750_000_000);
    expect(header).toBe(
      `t=1750000000,v1=${hmac("new-secret", 1_750_000_000)},v1=${hmac("old-secret", 1_750_000_000)}`,
    );
    for (const secret of ["new-secret", "old-secret"]) {
      const check = await verifySignature({ header, body, secrets: [secret], nowSeconds: 1_750_000_010 });
      expect(check.ok).toBe(true);
    }
    const other = await verifySignature({
      header,
      body: `${body} `,
      secrets: ["new-secret"],
      nowSeconds: 1_750_000_010,
    });
    expect(other).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("refuse an empty secret list or secret", async () => {
    await expect(signDelivery([], body, 1)).rejects.toThrow(RangeError);
    await expect(signDelivery([""], body, 1)).rejects.toThrow(RangeError);
  });
});

describe("secrets and ids", () => {
  it("a secret is whsec_ and 32 random bytes in base64url; ids are wh_ and 24 hex", () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newSigningSecret()));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret.slice(6), "base64url")).toHaveLength(32);
    }
    expect(newEndpointId()).toMatch(/^wh_[0-9a-f]{24}$/);
  });
});

describe("the automatic pause", () => {
  const day = 24 * HOUR;
  it("pauses only after every delivery failed for the whole window; one success resets it", () => {
    let health = afterAttempt({ failingSince: null }, { ok: false, at: 0 }, day);
    expect(health).toEqual({ failingSince: 0, pause: false });
    health = afterAttempt(health, { ok: false, at: 23 * HOUR }, day);
    expect(health.pause).toBe(false);
    const recovered = afterAttempt(health, { ok: true, at: 23.5 * HOUR }, day);
    expect(recovered).toEqual({ failingSince: null, pause: false });
    expect(afterAttempt(recovered, { ok: false, at: 24.5 * HOUR }, day)).toEqual({
      failingSince: 24.5 * HOUR,
      pause: false,
    });
    expect(afterAttempt(health, { ok: false, at: day }, day)).toEqual({ failingSince: 0, pause: true });
  });
});

describe("recent delivery stats", () => {
  it("success rate and nearest-rank p50/p95 over the newest attempts only", () => {
    expect(recentStats([])).toEqual({ window: 0, successRate: null, p50Ms: null, p95Ms: null });
    const old = Array.from({ length: 50 }, (_, i) => ({ at: i, ok: false, latencyMs: 10_000 }));
    const recent = Array.from({ length: RECENT_ATTEMPTS }, (_, i) => ({
      at: 1000 + i,
      ok: i % 4 !== 0,
      latencyMs: i + 1,
    }));
    expect(recentStats([...recent, ...old])).toEqual({
      window: 100,
      successRate: 0.75,
      p50Ms: 50,
      p95Ms: 95,
    });
    expect(percentile([7], 95)).toBe(7);
  });
});
