import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { verifySignature } from "../../origin/signature.ts";
import { announceMoments } from "../../origin/webhooks/announce.ts";
import type { MomentBase } from "../../protocol/moments.ts";
import { webhookRegistryStub } from "../../rpc/webhook-registry.ts";
import type { ReceivedDelivery } from "../support/webhook-receiver.ts";
import { ADMIN, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

const receiver = inject("webhookReceiver");
const json = { ...ADMIN, "content-type": "application/json" };

async function create(body: unknown): Promise<Response> {
  return worker("/v1/admin/webhooks", { method: "POST", headers: json, body: JSON.stringify(body) });
}

async function createEndpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await create(body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read many reply shapes; each assertion checks what it uses
async function admin(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await worker(`/v1/admin/webhooks${path}`, { ...init, headers: json });
  return { status: res.status, body: await res.json() };
}

async function received(name: string): Promise<ReceivedDelivery[]> {
  return (await (await fetch(`${receiver}/r/${name}/log`)).json()) as ReceivedDelivery[];
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function moment(matchId: string, seq: number, kind: MomentBase["kind"], extra: object = {}): MomentBase {
  return {
    id: `${matchId}:${seq}:${kind}:x`,
    kind,
    matchId,
    seq,
    ts: "2026-05-01T10:00:00Z",
    innings: 1,
    ...extra,
  };
}

/** Every delivery's signature checks with the endpoint's secret, the same way a receiver would. */
async function expectSigned(deliveries: ReceivedDelivery[], secret: string): Promise<void> {
  for (const d of deliveries) {
    const check = await verifySignature({
      header: d.signature,
      body: d.body,
      secrets: [secret],
      nowSeconds: Date.now() / 1000,
    });
    expect(check, d.signature).toEqual({ ok: true, secretIndex: 0 });
    expect(d.contentType).toBe("application/json");
    expect((JSON.parse(d.body) as MomentBase).id).toBe(d.deliveryId);
  }
}

describe("partner webhook admin routes", () => {
  it("need the admin token", async () => {
    const res = await worker("/v1/admin/webhooks");
    expect(res.status).toBe(401);
  });

  it("refuse bad input with a 400 that names the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /url/],
      [{ url: "ftp://example.com/x" }, /url: must be an https URL, not ftp:/],
      [{ url: "http://partner.example/hook" }, /url: must be https/],
      [{ url: "https://user:pw@partner.example/hook" }, /url: must not carry credentials/],
      [{ url: "not a url" }, /url: not an absolute URL/],
      [
        { url: "https://partner.example/hook", kinds: ["wicket", "hat-trick"] },
        /kinds\[1\]: each kind is one of wicket/,
      ],
      [{ url: "https://partner.example/hook", kinds: [] }, /kinds/],
      [{ url: "https://partner.example/hook", matches: ["bad id!"] }, /matches\[0\]/],
      [{ url: "https://partner.example/hook", extra: 1 }, /extra/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      const reply = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(reply.error.message, JSON.stringify(body)).toMatch(message);
    }
    const notJson = await worker("/v1/admin/webhooks", { method: "POST", headers: json, body: "{" });
    expect(notJson.status).toBe(400);
    const badAction = await admin("/wh_000000000000000000000000", {
      method: "PATCH",
      body: JSON.stringify({ action: "explode" }),
    });
    expect(badAction.status).toBe(400);
    expect(badAction.body.error.message).toMatch(/action is one of pause, resume, rotate/);
  });

  it("create, list, get, pause, resume, rotate and delete an endpoint; the secret only in the 201 and the rotate", async () => {
    const created = await createEndpoint({
      url: "https://partner.example/hook",
      kinds: ["wicket", "six"],
      matches: ["ipl-*"],
    });
    expect(created.id).toMatch(/^wh_[0-9a-f]{24}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const list = await admin("");
    expect(list.status).toBe(200);
    const listed = list.body.endpoints.find((e: { id: string }) => e.id === created.id);
    expect(listed).toMatchObject({
      url: "https://partner.example/hook",
      kinds: ["wicket", "six"],
      matches: ["ipl-*"],
      status: "active",
    });
    expect(JSON.stringify(list.body)).not.toContain(created.secret);

    const got = await admin(`/${created.id}`);
    expect(got.body).toMatchObject({ id: created.id, stats: { attempts: 0, deadLetters: 0 } });
    expect(JSON.stringify(got.body)).not.toContain(created.secret);

    const paused = await admin(`/${created.id}`, {
      method: "PATCH",
      body: JSON.stringify({ action: "pause" }),
    });
    expect(paused.body).toMatchObject({ status: "paused", pausedReason: "operator" });
    const resumed = await admin(`/${created.id}`, {
      method: "PATCH",
      body: JSON.stringify({ action: "resume" }),
    });
    expect(resumed.body).toMatchObject({ status: "active", pausedReason: null });

    const rotated = await admin(`/${created.id}`, {
      method: "PATCH",
      body: JSON.stringify({ action: "rotate" }),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);

    expect((await admin(`/${created.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await admin(`/${created.id}`)).status).toBe(404);
    expect((await admin(`/${created.id}/dead-letters`)).status).toBe(404);
    expect((await admin("/not-an-id")).status).toBe(404);
  });
});

describe("partner webhook delivery", () => {
  it("a moment announced is delivered, signed, to the endpoints whose filters want it, and not to a paused one", async () => {
    const wanted = await createEndpoint({
      url: `${receiver}/r/filtered`,
      kinds: ["wicket"],
      matches: ["wh-a"],
    });
    const paused = await createEndpoint({ url: `${receiver}/r/paused` });
    await admin(`/${paused.id}`, { method: "PATCH", body: JSON.stringify({ action: "pause" }) });
    const all = await createEndpoint({ url: `${receiver}/r/all` });

    await announceMoments(env, [
      moment("wh-a", 10, "wicket", { batter: "V Kohli" }),
      moment("wh-a", 11, "six"),
      moment("wh-b", 12, "wicket"),
    ]);
    const everything = await until("three deliveries to the unfiltered endpoint", async () => {
      const got = await received("all");
      return got.length >= 3 ? got : null;
    });
    await expectSigned(everything, all.secret);
    expect(everything.map((d) => d.deliveryId).sort()).toEqual([
      "wh-a:10:wicket:x",
      "wh-a:11:six:x",
      "wh-b:12:wicket:x",
    ]);

    const filtered = await until("the filtered endpoint's wicket", async () => {
      const got = await received("filtered");
      return got.length >= 1 ? got : null;
    });
    await expectSigned(filtered, wanted.secret);
    // The kind-specific fields travel as the engine made them.
    expect(JSON.parse(filtered[0]?.body ?? "{}")).toMatchObject({
      id: "wh-a:10:wicket:x",
      batter: "V Kohli",
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await received("filtered")).length).toBe(1);
    expect(await received("paused")).toEqual([]);

    const stats = await until("the stats to count three successes", async () => {
      const got = await admin(`/${all.id}`);
      return got.body.stats.successes >= 3 ? got.body.stats : null;
    });
    expect(stats).toMatchObject({ attempts: 3, failures: 0, recent: { window: 3, successRate: 1 } });
    expect(stats.recent.p50Ms).toBeGreaterThanOrEqual(0);
  });

  it("a malformed queue message is refused and acknowledged, and the ones beside it go through", async () => {
    const endpoint = await createEndpoint({ url: `${receiver}/r/beside`, matches: ["wh-bad"] });
    const refused = vi.spyOn(console, "error").mockImplementation(() => {});
    await env.MOMENTS.sendBatch([
      { body: { id: "x", kind: "not-a-kind", matchId: "wh-bad", seq: 1, ts: "t", innings: 1 } },
      { body: "not even an object" },
      { body: moment("wh-bad", 2, "six") },
    ]);
    await env.WEBHOOK_DELIVERIES.send({
      endpointId: endpoint.id,
      moment: { id: "no fields" },
      enqueuedAt: 0,
    });
    const got = await until("the good moment", async () => {
      const log = await received("beside");
      return log.length >= 1 ? log : null;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await received("beside")).map((d) => d.deliveryId)).toEqual(["wh-bad:2:six:x"]);
    // Each refusal is logged with its reason (and nothing else went wrong).
    expect(refused.mock.calls.map((c) => c[0]).sort()).toEqual([
      "delivery refused",
      "moment refused",
      "moment refused",
    ]);
    refused.mockRestore();
    await expectSigned(got, endpoint.secret);
  });

  it("after a rotation, deliveries carry both signatures, the new first", async () => {
    const endpoint = await createEndpoint({ url: `${receiver}/r/rotated` });
    const rotated = await admin(`/${endpoint.id}`, {
      method: "PATCH",
      body: JSON.stringify({ action: "rotate" }),
    });
    await announceMoments(env, [moment("wh-rot", 1, "four")]);
    const [delivery] = await until("the delivery", async () => {
      const got = await received("rotated");
      return got.length >= 1 ? got : null;
    });
    if (!delivery) throw new Error("no delivery");
    expect(delivery.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const [secret, index] of [
      [rotated.body.secret as string, 0],
      [endpoint.secret, 1],
    ] as const) {
      const check = await verifySignature({
        header: delivery.signature,
        body: delivery.body,
        secrets: [secret],
        nowSeconds: Date.now() / 1000,
      });
      expect(check.ok, `secret ${index}`).toBe(true);
    }
    // The new secret is never shown again; the old one stops signing when the grace period ends.
    const detail = await admin(`/${endpoint.id}`);
    expect(JSON.stringify(detail.body)).not.toContain(rotated.body.secret);
    const graceEnds = Date.parse(rotated.body.previousSecretUntil);
    expect(graceEnds - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
    const registry = webhookRegistryStub(env);
    expect((await registry.targets([endpoint.id], graceEnds - 1))[0]?.secrets).toEqual([
      rotated.body.secret,
      endpoint.secret,
    ]);
    expect((await registry.targets([endpoint.id], graceEnds))[0]?.secrets).toEqual([rotated.body.secret]);
  });
});

describe("partner webhook retries and dead letters", () => {
  async function setMode(name: string, mode: string): Promise<void> {
    const res = await fetch(`${receiver}/r/${name}/mode`, { method: "PUT", body: mode });
    expect(res.status).toBe(204);
  }

  it("a receiver that fails the first attempts (500s, timeouts) still gets every moment, each attempt signed", async () => {
    await setMode("flaky", "flaky");
    const endpoint = await createEndpoint({ url: `${receiver}/r/flaky` });
    const moments = Array.from({ length: 12 }, (_, i) => moment("wh-flaky", i + 1, "four"));
    await announceMoments(env, moments);
    const log = await until("a 200 for every moment", async () => {
      const got = await received("flaky");
      const delivered = new Set(got.filter((d) => d.answer === 200).map((d) => d.deliveryId));
      return moments.every((m) => delivered.has(m.id)) ? got : null;
    });
    // The receiver really did fail first: 500s, 503s and hung requests, then success.
    expect(log.some((d) => d.answer === 500)).toBe(true);
    expect(log.some((d) => d.answer === "hang")).toBe(true);
    await expectSigned(log, endpoint.secret);
    const stats = await until("the stats", async () => {
      const got = await admin(`/${endpoint.id}`);
      return got.body.stats.successes >= 12 ? got.body.stats : null;
    });
    expect(stats.failures).toBeGreaterThan(0);
    expect(stats.lastError).toMatch(/HTTP 50\d|timeout after 1000 ms/);
    expect(stats.deadLetters).toBe(0);
  });

  it("a receiver that never answers ends in the dead-letter queue; after it recovers, the replay delivers", async () => {
    await setMode("silent", "never");
    const endpoint = await createEndpoint({ url: `${receiver}/r/silent` });
    const moments = [moment("wh-dead", 1, "wicket"), moment("wh-dead", 2, "result")];
    await announceMoments(env, moments);
    const dead = await until("two dead letters", async () => {
      const got = await admin(`/${endpoint.id}/dead-letters`);
      return got.body.deadLetters.length >= 2 ? got.body.deadLetters : null;
    });
    expect(dead.map((d: { momentId: string }) => d.momentId).sort()).toEqual(moments.map((m) => m.id).sort());
    for (const d of dead) {
      expect(d).toMatchObject({
        reason: "retry window over",
        lastError: "timeout after 1000 ms",
        replayedAt: null,
      });
      expect(d.attempts).toBeGreaterThan(1);
    }
    const tried = await received("silent");
    expect(tried.every((d) => d.answer === "hang")).toBe(true);
    expect((await admin(`/${endpoint.id}`)).body.stats).toMatchObject({ successes: 0, deadLetters: 2 });

    // A paused endpoint cannot be replayed into.
    await admin(`/${endpoint.id}`, { method: "PATCH", body: JSON.stringify({ action: "pause" }) });
    expect((await admin(`/${endpoint.id}/dead-letters/replay`, { method: "POST" })).status).toBe(409);
    await admin(`/${endpoint.id}`, { method: "PATCH", body: JSON.stringify({ action: "resume" }) });

    await setMode("silent", "ok");
    const replay = await admin(`/${endpoint.id}/dead-letters/replay`, { method: "POST" });
    expect(replay).toEqual({ status: 202, body: { id: endpoint.id, replayed: 2 } });
    const delivered = await until("both replayed moments answered 200", async () => {
      const got = (await received("silent")).filter((d) => d.answer === 200);
      return got.length >= 2 ? got : null;
    });
    expect(delivered.map((d) => d.deliveryId).sort()).toEqual(moments.map((m) => m.id).sort());
    await expectSigned(delivered, endpoint.secret);
    const after = await admin(`/${endpoint.id}/dead-letters`);
    expect(after.body.deadLetters.every((d: { replayedAt: string | null }) => d.replayedAt !== null)).toBe(
      true,
    );
    expect((await admin(`/${endpoint.id}`)).body.stats.deadLetters).toBe(0);
    // Nothing left to replay.
    expect((await admin(`/${endpoint.id}/dead-letters/replay`, { method: "POST" })).body.replayed).toBe(0);
  });
});

describe("the automatic pause", () => {
  it("an endpoint that failed every delivery for 24 hours is paused and gets no more moments until resumed", async () => {
    const endpoint = await createEndpoint({ url: `${receiver}/r/gone` });
    const registry = webhookRegistryStub(env);
    const day = 86_400_000;
    const failure = (at: number) => ({
      endpointId: endpoint.id,
      momentId: `m:${at}`,
      at,
      ok: false,
      latencyMs: 1000,
      status: null,
      error: "timeout after 1000 ms",
    });
    const t0 = Date.now() - 2 * day;
    expect(await registry.recordAttempts([failure(t0), failure(t0 + day - 1)], day)).toEqual({ paused: [] });
    expect((await admin(`/${endpoint.id}`)).body).toMatchObject({
      status: "active",
      stats: { failingSince: new Date(t0).toISOString() },
    });
    expect(await registry.recordAttempts([failure(t0 + day)], day)).toEqual({ paused: [endpoint.id] });
    expect((await admin(`/${endpoint.id}`)).body).toMatchObject({
      status: "paused",
      pausedReason: "automatic: every delivery failed for 24 h",
    });

    // Paused: a new moment is not sent to it.
    const witness = await createEndpoint({ url: `${receiver}/r/witness` });
    await announceMoments(env, [moment("wh-pause", 1, "wicket")]);
    await until("the witness's delivery", async () =>
      (await received("witness")).length >= 1 ? true : null,
    );
    expect(await received("gone")).toEqual([]);
    expect(witness.id).not.toBe(endpoint.id);

    // Resumed: the clock starts again and moments flow.
    const resumed = await admin(`/${endpoint.id}`, {
      method: "PATCH",
      body: JSON.stringify({ action: "resume" }),
    });
    expect(resumed.body).toMatchObject({ status: "active", stats: { failingSince: null } });
    await announceMoments(env, [moment("wh-pause", 2, "wicket")]);
    const got = await until("the resumed endpoint's delivery", async () => {
      const log = await received("gone");
      return log.length >= 1 ? log : null;
    });
    expect(got.map((d) => d.deliveryId)).toEqual(["wh-pause:2:wicket:x"]);
  });
});

describe("receiver URLs are checked at registration and again before every delivery", () => {
  it("the registration route refuses an inside address, whitespace or a secret in the query with a 400 naming the problem, and stores nothing", async () => {
    const before = (await admin("")).body.endpoints.length;
    const cases: [string, RegExp][] = [
      [
        "https://169.254.169.254/latest/meta-data/",
        /url: must not point inside a network: 169\.254\.169\.254 is a link-local/,
      ],
      ["https://10.0.0.1/hook", /url: must not point inside a network: 10\.0\.0\.1 is a private address/],
      ["https://[fd00::1]/hook", /url: must not point inside a network: \[fd00::1\] is a unique-local/],
      ["https://metadata.google.internal/computeMetadata/v1/", /url: .*cloud metadata/],
      [" https://partner.example/hook", /url: has leading or trailing whitespace/],
      ["https://partner.example/hook\n", /url: has leading or trailing whitespace/],
      ["https://partner.example/hook?apikey=sk_live_1", /url: query parameter "apikey" looks like a secret/],
    ];
    for (const [url, reason] of cases) {
      const res = await create({ url });
      const reply = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, JSON.stringify(url)).toBe(400);
      expect(reply.error.message, JSON.stringify(url)).toMatch(reason);
    }
    expect((await admin("")).body.endpoints.length).toBe(before);
  });

  it("a URL that was stored before (written straight into the registry) is not fetched: the delivery is a dead letter with the reason", async () => {
    const stored = [
      {
        name: "stored-token",
        rewrite: (url: string) => `${url}?token=abc`,
        reason: /"token" looks like a secret/,
      },
      {
        name: "stored-newline",
        rewrite: (url: string) => `${url}\n`,
        reason: /leading or trailing whitespace/,
      },
      {
        name: "stored-metadata",
        rewrite: () => "https://169.254.169.254/latest/meta-data/",
        reason: /169\.254\.169\.254 is a link-local address/,
      },
    ];
    const endpoints: ((typeof stored)[number] & { id: string; secret: string })[] = [];
    for (const s of stored) {
      const url = `${receiver}/r/${s.name}`;
      const endpoint = await createEndpoint({ url, matches: ["wh-stored"] });
      endpoints.push({ ...s, ...endpoint });
      // What an older deploy, or one with WEBHOOK_ALLOW_LOOPBACK_HTTP flipped, may have stored.
      const registry = env.WEBHOOK_REGISTRY.get(env.WEBHOOK_REGISTRY.idFromName("all"));
      await runInDurableObject(registry, (_instance, state) => {
        state.storage.sql.exec("UPDATE endpoints SET url = ? WHERE id = ?", s.rewrite(url), endpoint.id);
      });
    }
    await env.MOMENTS.sendBatch([{ body: moment("wh-stored", 1, "wicket") }]);
    for (const endpoint of endpoints) {
      const [dead] = await until(`${endpoint.name}'s dead letter`, async () => {
        const got = await admin(`/${endpoint.id}/dead-letters`);
        return got.body.deadLetters.length >= 1 ? got.body.deadLetters : null;
      });
      expect(dead.reason, endpoint.name).toMatch(/^url refused: /);
      expect(dead.reason, endpoint.name).toMatch(endpoint.reason);
      expect(dead).toMatchObject({ momentId: "wh-stored:1:wicket:x", attempts: 0 });
      // Never dialled: the receiver (which the first two URLs would reach) saw nothing, and no attempt was counted.
      expect(await received(endpoint.name), endpoint.name).toEqual([]);
      expect((await admin(`/${endpoint.id}`)).body.stats).toMatchObject({ attempts: 0, deadLetters: 1 });
    }
    // The list does not show the secret a stored URL carries.
    const listed = (await admin("")).body.endpoints.find((e: { id: string }) => e.id === endpoints[0]?.id);
    expect(listed.url).toBe(`${receiver}/r/stored-token?token=REDACTED`);
  });
});

describe("private matches' moments (PRIVATE_MATCHES is private-*)", () => {
  const PRIVATE = "private-wh-1";

  it("reach only an endpoint that names the match exactly: not 'all', not a prefix, not '*', not another match", async () => {
    const unnamed = {
      "priv-all": await createEndpoint({ url: `${receiver}/r/priv-all` }),
      "priv-prefix": await createEndpoint({ url: `${receiver}/r/priv-prefix`, matches: ["private-*"] }),
      "priv-star": await createEndpoint({ url: `${receiver}/r/priv-star`, matches: ["*"] }),
      "priv-other": await createEndpoint({ url: `${receiver}/r/priv-other`, matches: ["private-wh-2"] }),
    };
    const named = await createEndpoint({ url: `${receiver}/r/priv-named`, matches: ["ipl-*", PRIVATE] });
    const moments = [moment(PRIVATE, 1, "wicket"), moment(PRIVATE, 2, "six"), moment(PRIVATE, 3, "result")];
    await env.MOMENTS.sendBatch(moments.map((m) => ({ body: m })));

    const got = await until("the named endpoint's three moments", async () => {
      const log = await received("priv-named");
      return log.length >= 3 ? log : null;
    });
    await expectSigned(got, named.secret);
    // At least once: a retried fan-out may repeat one, so the ids are compared as a set.
    expect(new Set(got.map((d) => d.deliveryId))).toEqual(new Set(moments.map((m) => m.id)));
    // The fan-out made every delivery of the batch at once; give stragglers time to show up.
    await new Promise((r) => setTimeout(r, 1500));
    for (const name of [...Object.keys(unnamed), "all"]) {
      const leaked = (await received(name)).filter((d) => d.deliveryId.startsWith("private-"));
      expect(leaked, name).toEqual([]);
    }
    expect(new Set((await received("priv-named")).map((d) => d.deliveryId))).toEqual(
      new Set(moments.map((m) => m.id)),
    );

    // Checked again before the POST: a delivery queued for an endpoint that does not name the
    // match (a replay, or one queued before the match was made private) is withheld.
    const withheld = vi.spyOn(console, "warn").mockImplementation(() => {});
    await env.WEBHOOK_DELIVERIES.send({
      endpointId: unnamed["priv-all"].id,
      moment: moment(PRIVATE, 4, "four"),
      enqueuedAt: Date.now(),
    });
    await until("the delivery to be withheld", async () =>
      withheld.mock.calls.some((c) => c[0] === "private moment withheld") ? true : null,
    );
    withheld.mockRestore();
    expect((await received("priv-all")).filter((d) => d.deliveryId.startsWith("private-"))).toEqual([]);
    expect((await admin(`/${unnamed["priv-all"].id}`)).body.stats).toMatchObject({
      attempts: 0,
      deadLetters: 0,
    });
  });
});
