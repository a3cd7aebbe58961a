import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The one exception the routes throw. `onError` turns it (and anything unexpected)
 * into a JSON body: users get a message that names the problem, never a stack trace.
 */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function onError(error: Error, _c: Context): Response {
  return errorResponse(error);
}

/** The JSON error every route answers with, inside the router (onError) or before it. */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    const body = {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
    };
    return Response.json(body, { status: error.status, headers: error.headers });
  }
  console.error("unhandled error", error);
  return Response.json(
    { error: { code: "internal", message: "internal error; the request was not processed" } },
    { status: 500 },
  );
}

export function notFound(c: Context): Response {
  return c.json(
    { error: { code: "not_found", message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } },
    404,
  );
}
