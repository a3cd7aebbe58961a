import { exports } from "cloudflare:workers";
import { afterAll, expect, it } from "vitest";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

it("answers /health from inside workerd", async () => {
  const res = await exports.default.fetch("http://crease.test/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, fastRead: { mode: "embedded", breaker: "closed" } });
});
