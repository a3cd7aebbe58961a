import { exports } from "cloudflare:workers";
import { afterAll, expect, it } from "vitest";
import { settleIndex } from "./support/settle.ts";

// The ticker's coalescing alarm must not fire after the last test (support/settle.ts).
afterAll(() => settleIndex(), 15_000);

it("answers /health from inside workerd", async () => {
  const res = await exports.default.fetch("http://crease.test/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, fastRead: { mode: "embedded", breaker: "closed" } });
});
