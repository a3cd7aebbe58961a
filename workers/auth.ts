import type { MiddlewareHandler } from "hono";
import { constantTimeEqual } from "../protocol/hmac.ts";
import { HttpError } from "./http-error.ts";

/** Admin routes and /metrics take `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export const requireAdmin: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected)
    throw new HttpError(503, "admin_disabled", "ADMIN_TOKEN is not configured; admin routes are off");
  const header = c.req.header("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  if (!(await sameSecret(token, expected))) {
    throw new HttpError(
      401,
      "unauthorized",
      "admin routes need Authorization: Bearer <ADMIN_TOKEN>",
      undefined,
      {
        "WWW-Authenticate": 'Bearer realm="crease-admin"',
      },
    );
  }
  await next();
};

/** Hash both sides first so the comparison takes the same time whatever the lengths. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return constantTimeEqual(new Uint8Array(ha), new Uint8Array(hb));
}
