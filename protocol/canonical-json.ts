/**
 * JSON with object keys sorted at every depth, so two events with the same content
 * serialise to the same string whatever order the provider wrote their keys in.
 * That string is what "duplicate" (same content) and "conflict" (different) compare.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    // A null prototype: a "__proto__" key stays a plain key instead of replacing the prototype.
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}
