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

/** Flattens zod's issues into `{ path, message }` pairs, the one shape Crease reports rejected input in. */
export function toSchemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

/** One line for humans: `payload.over: Too big: expected number to be <=499; ...`. */
export function describeIssues(issues: readonly SchemaIssue[], limit = 3): string {
  const shown = issues.slice(0, limit).map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`));
  const more = issues.length > limit ? ` (and ${issues.length - limit} more)` : "";
  return shown.join("; ") + more;
}
