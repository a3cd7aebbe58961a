import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers /health from inside workerd", async () => {
  const res = await exports.default.fetch("http://crease.test/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, fastRead: { mode: "embedded", breaker: "closed" } });
});
