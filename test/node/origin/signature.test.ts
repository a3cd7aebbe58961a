import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseSecrets, signPayload, verifySignature } from "../../../origin/signature.ts";

const NOW = 1_750_000_000;
const BODY = '{"matchId":"m1","seq":1,"type":"ball"}';
const SECRET_A = "whsec-alpha";
const SECRET_B = "whsec-bravo";
const HEX_64 = "ab".repeat(32);

function verify(header: string | null, overrides: Partial<Parameters<typeof verifySignature>[0]> = {}) {
  return verifySignature({ header, body: BODY, secrets: [SECRET_A], nowSeconds: NOW, ...overrides });
}

describe("parseSecrets", () => {
  it("splits, trims and drops empty entries", () => {
    expect(parseSecrets(" a , b,,  ,c ")).toEqual(["a", "b", "c"]);
  });

  it("gives no secrets for undefined, empty or blank input", () => {
    expect(parseSecrets(undefined)).toEqual([]);
    expect(parseSecrets("")).toEqual([]);
    expect(parseSecrets(" , ")).toEqual([]);
  });
});

describe("signPayload", () => {
  it("matches an HMAC computed independently with node:crypto", async () => {
    const expected = createHmac("sha256", SECRET_A).update(`${NOW}.${BODY}`).digest("hex");
    expect(await signPayload(SECRET_A, BODY, NOW)).toBe(`t=${NOW},v1=${expected}`);
  });

  it("signs raw bytes without re-encoding them", async () => {
    // Not valid UTF-8: decoding and re-encoding would change these bytes.
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const expected = createHmac("sha256", SECRET_A)
      .update(Buffer.concat([Buffer.from(`${NOW}.`), Buffer.from(bytes)]))
      .digest("hex");
    expect(await signPayload(SECRET_A, bytes, NOW)).toBe(`t=${NOW},v1=${expected}`);
    expect(await verify(await signPayload(SECRET_A, bytes, NOW), { body: bytes })).toEqual({
      ok: true,
      secretIndex: 0,
    });
  });

  it("refuses an empty secret and timestamps the verifier would call malformed", async () => {
    await expect(signPayload("", BODY, NOW)).rejects.toThrow(RangeError);
    await expect(signPayload(SECRET_A, BODY, 1.5)).rejects.toThrow(RangeError);
    await expect(signPayload(SECRET_A, BODY, -1)).rejects.toThrow(RangeError);
    await expect(signPayload(SECRET_A, BODY, 1e12)).rejects.toThrow(RangeError);
  });
});

describe("verifySignature", () => {
  it("accepts a valid signature, from a string or the same bytes", async () => {
    const header = await signPayload(SECRET_A, BODY, NOW);
    expect(await verify(header)).toEqual({ ok: true, secretIndex: 0 });
    expect(await verify(header, { body: new TextEncoder().encode(BODY) })).toEqual({
      ok: true,
      secretIndex: 0,
    });
  });

  it("accepts uppercase hex and blanks around parts", async () => {
    const header = await signPayload(SECRET_A, BODY, NOW);
    const [t, v1] = header.split(",");
    expect(await verify(` ${t} , ${v1?.toUpperCase().replace("V1=", "v1=")} `)).toEqual({
      ok: true,
      secretIndex: 0,
    });
  });

  it("refuses a signature made with the wrong secret", async () => {
    const result = await verify(await signPayload("not-the-secret", BODY, NOW));
    expect(result).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("refuses a body changed by one byte", async () => {
    const header = await signPayload(SECRET_A, BODY, NOW);
    const bytes = new TextEncoder().encode(BODY);
    const flipAt = bytes.length - 2;
    bytes[flipAt] = (bytes[flipAt] ?? 0) ^ 0x01;
    expect(await verify(header, { body: bytes })).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("refuses an expired timestamp and accepts one exactly at the tolerance", async () => {
    const tooOld = await signPayload(SECRET_A, BODY, NOW - 301);
    expect(await verify(tooOld)).toMatchObject({ ok: false, reason: "expired" });
    const atLimit = await signPayload(SECRET_A, BODY, NOW - 300);
    expect(await verify(atLimit)).toEqual({ ok: true, secretIndex: 0 });
  });

  it("refuses a future-dated timestamp", async () => {
    const ahead = await signPayload(SECRET_A, BODY, NOW + 301);
    const result = await verify(ahead);
    expect(result).toMatchObject({ ok: false, reason: "future" });
    expect(await verify(await signPayload(SECRET_A, BODY, NOW + 300))).toEqual({ ok: true, secretIndex: 0 });
  });

  it("honours a custom tolerance", async () => {
    const header = await signPayload(SECRET_A, BODY, NOW - 20);
    expect(await verify(header, { toleranceSeconds: 10 })).toMatchObject({ ok: false, reason: "expired" });
    expect(await verify(header, { toleranceSeconds: 30 })).toEqual({ ok: true, secretIndex: 0 });
  });

  it("refuses a genuine request replayed after the window", async () => {
    const header = await signPayload(SECRET_A, BODY, NOW);
    expect(await verify(header)).toEqual({ ok: true, secretIndex: 0 });
    expect(await verify(header, { nowSeconds: NOW + 3600 })).toMatchObject({ ok: false, reason: "expired" });
  });

  it("reports a missing header", async () => {
    expect(await verify(null)).toMatchObject({ ok: false, reason: "missing" });
    expect(await verify("   ")).toMatchObject({ ok: false, reason: "missing" });
  });

  it("reports no-secrets when nothing is configured, before looking at the header", async () => {
    const header = await signPayload(SECRET_A, BODY, NOW);
    expect(await verify(header, { secrets: [] })).toMatchObject({ ok: false, reason: "no-secrets" });
    expect(await verify(null, { secrets: parseSecrets(" , ") })).toMatchObject({
      ok: false,
      reason: "no-secrets",
    });
  });

  it.each([
    ["no t", `v1=${HEX_64}`],
    ["no v1", `t=${NOW}`],
    ["non-hex v1", `t=${NOW},v1=${"zz".repeat(32)}`],
    ["short v1", `t=${NOW},v1=${HEX_64.slice(2)}`],
    ["long v1", `t=${NOW},v1=${HEX_64}00`],
    ["empty v1", `t=${NOW},v1=`],
    ["non-integer t", `t=${NOW}.5,v1=${HEX_64}`],
    ["negative t", `t=-${NOW},v1=${HEX_64}`],
    ["t of 13 digits", `t=1${"0".repeat(12)},v1=${HEX_64}`],
    ["two t entries", `t=${NOW},t=${NOW},v1=${HEX_64}`],
    ["garbage", "garbage"],
    ["a part without =", `t=${NOW},v1=${HEX_64},oops`],
    ["a trailing comma", `t=${NOW},v1=${HEX_64},`],
    ["Stripe's v0 only", `t=${NOW},v0=${HEX_64}`],
    ["an oversized header", `t=${NOW},${`x=${"y".repeat(100)},`.repeat(20)}v1=${HEX_64}`],
    ["too many v1 entries", `t=${NOW},${`v1=${HEX_64},`.repeat(9)}v1=${HEX_64}`],
  ])("reports a malformed header: %s", async (_name, header) => {
    const result = await verify(header);
    expect(result).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("never echoes the secret in a message", async () => {
    const results = await Promise.all([
      verify(await signPayload("other", BODY, NOW)),
      verify(await signPayload(SECRET_A, BODY, NOW - 1000)),
      verify(await signPayload(SECRET_A, BODY, NOW + 1000)),
      verify("garbage"),
      verify(null),
    ]);
    for (const result of results) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.message).not.toContain(SECRET_A);
        expect(result.message.length).toBeGreaterThan(10);
      }
    }
  });

  describe("rotation", () => {
    it("accepts a header signed with the second of two active secrets", async () => {
      const header = await signPayload(SECRET_B, BODY, NOW);
      expect(await verify(header, { secrets: [SECRET_A, SECRET_B] })).toEqual({ ok: true, secretIndex: 1 });
    });

    it("refuses a header signed with a secret that was removed", async () => {
      const header = await signPayload(SECRET_A, BODY, NOW);
      expect(await verify(header, { secrets: [SECRET_B] })).toMatchObject({ ok: false, reason: "mismatch" });
    });

    it("works with secrets read from INGEST_SECRET", async () => {
      const secrets = parseSecrets(` ${SECRET_A} , ${SECRET_B} `);
      const header = await signPayload(SECRET_B, BODY, NOW);
      expect(await verify(header, { secrets })).toEqual({ ok: true, secretIndex: 1 });
    });

    it("accepts a header carrying two v1 entries when either matches", async () => {
      const oldSig = (await signPayload(SECRET_A, BODY, NOW)).split(",")[1];
      const newSig = (await signPayload(SECRET_B, BODY, NOW)).split(",")[1];
      const header = `t=${NOW},${oldSig},${newSig}`;
      // Before the switch only the old secret is active; after, only the new one.
      expect(await verify(header, { secrets: [SECRET_A] })).toEqual({ ok: true, secretIndex: 0 });
      expect(await verify(header, { secrets: [SECRET_B] })).toEqual({ ok: true, secretIndex: 0 });
      expect(await verify(header, { secrets: ["retired", SECRET_B] })).toEqual({ ok: true, secretIndex: 1 });
      expect(await verify(`t=${NOW},v1=${HEX_64},${newSig}`, { secrets: [SECRET_B] })).toEqual({
        ok: true,
        secretIndex: 0,
      });
      expect(await verify(header, { secrets: ["neither"] })).toMatchObject({ ok: false, reason: "mismatch" });
    });

    it("reports the first configured secret that matches when several do", async () => {
      const header = await signPayload(SECRET_A, BODY, NOW);
      expect(await verify(header, { secrets: [SECRET_B, SECRET_A, SECRET_A] })).toEqual({
        ok: true,
        secretIndex: 1,
      });
    });
  });

  it("throws on a nonsensical tolerance or clock, which are programming errors", async () => {
    await expect(verify(null, { toleranceSeconds: -1 })).rejects.toThrow(RangeError);
    await expect(verify(null, { nowSeconds: Number.NaN })).rejects.toThrow(RangeError);
  });
});
