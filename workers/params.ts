import { z } from "zod";
import { isValidMatchId } from "../protocol/provider-events.ts";
import { HttpError } from "./http-error.ts";

/** Path and query parameters, parsed (not cast) with errors that name the parameter. */
export function matchIdParam(raw: string | undefined): string {
  if (!isValidMatchId(raw)) {
    throw new HttpError(
      400,
      "invalid_match_id",
      "a match id is 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'",
    );
  }
  return raw;
}

export function intQuery(
  raw: string | undefined,
  name: string,
  opts: { min: number; max: number; fallback?: number },
): number {
  if (raw === undefined || raw === "") {
    if (opts.fallback !== undefined) return opts.fallback;
    throw new HttpError(400, "missing_parameter", `query parameter "${name}" is required`);
  }
  const parsed = z.coerce.number().int().min(opts.min).max(opts.max).safeParse(raw);
  if (!parsed.success || !/^-?\d+$/.test(raw)) {
    throw new HttpError(
      400,
      "invalid_parameter",
      `"${name}" must be an integer from ${opts.min} to ${opts.max}, not "${raw.slice(0, 40)}"`,
    );
  }
  return parsed.data;
}
