import { afterAll, describe, expect, it } from "vitest";
import { fixtureEvents } from "./support/fixtures.ts";
import { postIngest, SECRETS, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

const now = () => Math.floor(Date.now() / 1000);

/** Each case posts the first event of a fresh match; a refused one must leave that match unknown. */
async function expectRefused(matchId: string, opts: Parameters<typeof postIngest>[1], code: string) {
  const body = JSON.stringify(fixtureEvents("1216517", matchId)[0]);
  const res = await postIngest(body, opts);
  expect(res.status).toBe(401);
  const reply = (await res.json()) as { error: { code: string; message: string } };
  expect(reply.error.code).toBe(code);
  expect(reply.error.message.length).toBeGreaterThan(5);
  expect((await worker(`/v1/matches/${matchId}`)).status).toBe(404);
}

describe("POST /v1/ingest signature", () => {
  it("accepts a valid signature", async () => {
    const body = JSON.stringify(fixtureEvents("1216517", "auth-ok")[0]);
    const res = await postIngest(body);
    expect(res.status).toBe(200);
    expect((await worker("/v1/matches/auth-ok")).status).toBe(200);
  });

  it("accepts the second of two active secrets (rotation)", async () => {
    const body = JSON.stringify(fixtureEvents("1216517", "auth-rotated")[0]);
    expect((await postIngest(body, { secret: SECRETS[1] })).status).toBe(200);
  });

  it("refuses a wrong secret", () =>
    expectRefused("auth-wrong", { secret: "not-the-secret" }, "signature_mismatch"));
  it("refuses a missing header", () =>
    expectRefused("auth-missing", { signature: null }, "signature_missing"));
  it("refuses a malformed header", () =>
    expectRefused("auth-malformed", { signature: "v1=abc" }, "signature_malformed"));
  it("refuses an expired timestamp", () =>
    expectRefused("auth-expired", { at: now() - 301 }, "signature_expired"));
  // Well past the 300 s window, not one second: `now()` is floored and the Worker reads the clock
  // again after the request's own I/O, which on a loaded machine can take that second.
  it("refuses a future-dated timestamp", () =>
    expectRefused("auth-future", { at: now() + 330 }, "signature_future"));

  it("refuses a captured request replayed outside the window, and a body changed under a valid header", async () => {
    const body = JSON.stringify(fixtureEvents("1216517", "auth-replay")[0]);
    const { signPayload } = await import("../../origin/signature.ts");
    const old = await signPayload(SECRETS[0], body, now() - 3600);
    await expectRefused("auth-replay", { signature: old }, "signature_expired");
    const fresh = await signPayload(SECRETS[0], body, now());
    const tampered = body.replace('"seq":1', '"seq":2');
    const res = await postIngest(tampered, { signature: fresh });
    expect(res.status).toBe(401);
  });
});
