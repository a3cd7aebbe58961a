/**
 * Partner webhooks' admin routes (docs/webhooks.md), mounted at /v1/admin/webhooks behind the
 * admin token. The secret is in one reply only: the 201 of a create, or the 200 of a rotate.
 */

import { Hono } from "hono";
import type { z } from "zod";
import { readConfig } from "../../config/crease-config.ts";
import { queueBatches } from "../../origin/webhooks/announce.ts";
import { urlProblem } from "../../origin/webhooks/endpoint-url.ts";
import { assertNever } from "../../protocol/assert-never.ts";
import { describeIssues, toSchemaIssues } from "../../protocol/schema-issues.ts";
import { createEndpointSchema, type DeliveryMessage, patchEndpointSchema } from "../../protocol/webhooks.ts";
import { webhookRegistryStub } from "../../rpc/webhook-registry.ts";
import { requireAdmin } from "../auth.ts";
import { HttpError } from "../http-error.ts";

export const webhooks = new Hono<{ Bindings: Env }>();
webhooks.use("*", requireAdmin);

const MAX_BODY_CHARS = 16 * 1024;
const ENDPOINT_ID = /^wh_[0-9a-f]{24}$/;

/** The body as JSON, or a 400 that says why not. */
async function jsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS)
    throw new HttpError(413, "body_too_large", `at most ${MAX_BODY_CHARS} characters`);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "the body is not valid JSON");
  }
}

function parseBody<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = toSchemaIssues(parsed.error);
    throw new HttpError(400, "invalid_body", describeIssues(issues), { issues });
  }
  return parsed.data;
}

function endpointId(raw: string | undefined): string {
  if (raw === undefined || !ENDPOINT_ID.test(raw)) throw unknownEndpoint(raw ?? "");
  return raw;
}

function unknownEndpoint(id: string): HttpError {
  return new HttpError(404, "unknown_endpoint", `no webhook endpoint "${id.slice(0, 40)}"`);
}

webhooks.post("/", async (c) => {
  const input = parseBody(createEndpointSchema, await jsonBody(c.req.raw));
  const problem = urlProblem(input.url, { allowLoopbackHttp: readConfig(c.env).webhooks.allowLoopbackHttp });
  if (problem) {
    throw new HttpError(400, "invalid_body", `url: ${problem}`, {
      issues: [{ path: "url", message: problem }],
    });
  }
  const created = await webhookRegistryStub(c.env).create(input, Date.now());
  return c.json(created, 201);
});

webhooks.get("/", async (c) => c.json({ endpoints: await webhookRegistryStub(c.env).list() }));

webhooks.get("/:id", async (c) => {
  const id = endpointId(c.req.param("id"));
  const endpoint = await webhookRegistryStub(c.env).get(id);
  if (!endpoint) throw unknownEndpoint(id);
  return c.json(endpoint);
});

webhooks.patch("/:id", async (c) => {
  const id = endpointId(c.req.param("id"));
  const { action } = parseBody(patchEndpointSchema, await jsonBody(c.req.raw));
  const registry = webhookRegistryStub(c.env);
  switch (action) {
    case "pause":
    case "resume": {
      if (!(await registry.setStatus(id, action === "pause" ? "paused" : "active", Date.now())))
        throw unknownEndpoint(id);
      return c.json(await registry.get(id));
    }
    case "rotate": {
      const rotated = await registry.rotate(id, Date.now(), readConfig(c.env).webhooks.rotationGraceMs);
      if (!rotated) throw unknownEndpoint(id);
      return c.json({ id, secret: rotated.secret, previousSecretUntil: rotated.previousUntil });
    }
    default:
      return assertNever(action);
  }
});

webhooks.delete("/:id", async (c) => {
  const id = endpointId(c.req.param("id"));
  if (!(await webhookRegistryStub(c.env).remove(id))) throw unknownEndpoint(id);
  return c.json({ id, deleted: true });
});

webhooks.get("/:id/dead-letters", async (c) => {
  const id = endpointId(c.req.param("id"));
  const deadLetters = await webhookRegistryStub(c.env).deadLetters(id);
  if (!deadLetters) throw unknownEndpoint(id);
  return c.json({ id, deadLetters });
});

/** Puts every dead letter not yet replayed back on the deliveries queue, with a fresh retry window. */
webhooks.post("/:id/dead-letters/replay", async (c) => {
  const id = endpointId(c.req.param("id"));
  const registry = webhookRegistryStub(c.env);
  const endpoint = await registry.get(id);
  if (!endpoint) throw unknownEndpoint(id);
  if (endpoint.status === "paused") {
    throw new HttpError(409, "endpoint_paused", `endpoint "${id}" is paused: resume it before replaying`);
  }
  const now = Date.now();
  const moments = (await registry.pendingDeadLetters(id)) ?? [];
  const deliveries: DeliveryMessage[] = moments.map((moment) => ({
    endpointId: id,
    moment,
    enqueuedAt: now,
  }));
  for (const group of queueBatches(deliveries, (d) => JSON.stringify(d).length)) {
    await c.env.WEBHOOK_DELIVERIES.sendBatch(group.map((body) => ({ body, contentType: "json" as const })));
  }
  await registry.markReplayed(
    id,
    moments.map((m) => m.id),
    now,
  );
  return c.json({ id, replayed: moments.length }, 202);
});
