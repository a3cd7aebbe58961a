import type { z } from "zod";

/** One reason an input was rejected: where (a dotted path such as `payload.extras.wides`) and why. */
export interface SchemaIssue {
  /** Dotted path into the input; array positions are written `[i]`; the empty string is the input itself. */
  path: string;
  message: string;
}

/** Turns a zod path into the dotted form used in error messages and API responses. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** At most this many issues per input, each message at most this long: a reply never echoes a hostile body back whole. */
export const MAX_ISSUES = 10;
export const MAX_MESSAGE_LENGTH = 300;

/** Flattens zod's issues into `{ path, message }` pairs, the one shape Crease reports rejected input in. */
export function toSchemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: clip(formatIssuePath(issue.path), 200),
    message: clip(issue.message, MAX_MESSAGE_LENGTH),
  }));
}

/** A value quoted in a message, cut short so error replies stay small whatever was sent. */
export function quote(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(text, max);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One line for humans: `payload.over: Too big: expected number to be <=499; ...`. */
export function describeIssues(issues: readonly SchemaIssue[], limit = 3): string {
  const shown = issues.slice(0, limit).map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`));
  const more = issues.length > limit ? ` (and ${issues.length - limit} more)` : "";
  return shown.join("; ") + more;
}
