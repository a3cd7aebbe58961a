/**
 * A small interpreter for the JSON Schema that zod writes for the server's messages
 * (protocol/server-message-schema.generated.ts), so a browser checks every frame with the
 * server's own schemas without carrying zod (7 KiB gzipped at the least). It knows the
 * keywords in SUPPORTED_KEYWORDS; the generator refuses to write a schema that uses any other,
 * so a new zod feature cannot be silently ignored, and `npm run check` and
 * test/node/protocol/wire-schema.test.ts keep the generated file and zod in step.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What {@link checkAgainst} understands (checked at generation, not in the browser). */
export const SUPPORTED_KEYWORDS = [
  "$schema",
  "$defs",
  "$ref",
  "type",
  "const",
  "enum",
  "oneOf",
  "anyOf",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
] as const;

export type SchemaVerdict = { ok: true } | { ok: false; path: string; problem: string };

/** Checks `value` against `schema` (its `$defs` resolve `$ref`s); the first problem found, with its path. */
export function checkAgainst(schema: JsonSchema, value: unknown): SchemaVerdict {
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  const problem = check(schema, value, "", defs);
  return problem ? { ok: false, path: problem[0], problem: problem[1] } : { ok: true };
}

type Problem = [path: string, problem: string] | null;

function check(schema: JsonSchema, value: unknown, path: string, defs: Record<string, JsonSchema>): Problem {
  if (typeof schema.$ref === "string") {
    const target = defs[schema.$ref.replace("#/$defs/", "")];
    if (!target) throw new Error(`json-schema-check: unresolved ${schema.$ref}`);
    return check(target, value, path, defs);
  }
  if (schema.type !== undefined && !hasType(schema.type as string | string[], value))
    return [path, `expected ${[schema.type].flat().join(" or ")}, got ${typeName(value)}`];
  if ("const" in schema && value !== schema.const) return [path, `expected ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [path, `expected one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`];
  const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (alternatives) return checkAlternatives(alternatives, value, path, defs);
  if (typeof value === "string") return checkString(schema, value, path);
  if (typeof value === "number") return checkNumber(schema, value, path);
  if (Array.isArray(value)) {
    if (!schema.items) return null;
    for (let i = 0; i < value.length; i++) {
      const problem = check(schema.items as JsonSchema, value[i], `${path}.${i}`, defs);
      if (problem) return problem;
    }
    return null;
  }
  if (value !== null && typeof value === "object") return checkObject(schema, value, path, defs);
  return null;
}

/**
 * Exactly one alternative must fit. The schemas here are unions discriminated by a `const`
 * property (`type`, `op`): the alternative whose discriminator matches names the problem.
 */
function checkAlternatives(
  alternatives: JsonSchema[],
  value: unknown,
  path: string,
  defs: Record<string, JsonSchema>,
): Problem {
  const problems = alternatives.map((alternative) => check(alternative, value, path, defs));
  const fits = problems.filter((p) => p === null).length;
  if (fits === 1) return null;
  if (fits > 1) return [path, "matches more than one alternative"];
  const discriminated = alternatives.findIndex((alternative) => discriminatorMatches(alternative, value));
  if (discriminated >= 0) return problems[discriminated] ?? null;
  const tags = alternatives.map(discriminatorOf).filter((tag) => tag !== null);
  return tags.length === alternatives.length
    ? [`${path}.${tags[0]?.[0]}`, `expected one of ${tags.map(([, v]) => JSON.stringify(v)).join(", ")}`]
    : [path, "matches none of the alternatives"];
}

function discriminatorOf(schema: JsonSchema): [string, unknown] | null {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, property] of Object.entries(properties))
    if ("const" in property && (schema.required as string[] | undefined)?.includes(name))
      return [name, property.const];
  return null;
}

function discriminatorMatches(schema: JsonSchema, value: unknown): boolean {
  const tag = discriminatorOf(schema);
  return tag !== null && value !== null && typeof value === "object" && Reflect.get(value, tag[0]) === tag[1];
}

function checkString(schema: JsonSchema, value: string, path: string): Problem {
  // UTF-16 code units, as zod counts them (JSON Schema counts code points).
  if (typeof schema.minLength === "number" && value.length < schema.minLength)
    return [path, `expected at least ${schema.minLength} characters`];
  if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
    return [path, `expected at most ${schema.maxLength} characters`];
  return null;
}

function checkNumber(schema: JsonSchema, value: number, path: string): Problem {
  if (typeof schema.minimum === "number" && value < schema.minimum)
    return [path, `expected ≥ ${schema.minimum}`];
  if (typeof schema.maximum === "number" && value > schema.maximum)
    return [path, `expected ≤ ${schema.maximum}`];
  return null;
}

function checkObject(
  schema: JsonSchema,
  value: object,
  path: string,
  defs: Record<string, JsonSchema>,
): Problem {
  for (const name of (schema.required ?? []) as string[])
    if (!Object.hasOwn(value, name)) return [`${path}.${name}`, "required"];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const extra = schema.additionalProperties as JsonSchema | boolean | undefined;
  const names = schema.propertyNames as JsonSchema | undefined;
  for (const [name, item] of Object.entries(value)) {
    if (names) {
      const problem = check(names, name, `${path}.${name}`, defs);
      if (problem) return problem;
    }
    const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (property) {
      const problem = check(property, item, `${path}.${name}`, defs);
      if (problem) return problem;
    } else if (extra === false) {
      return [`${path}.${name}`, "not expected"];
    } else if (extra && extra !== true) {
      const problem = check(extra, item, `${path}.${name}`, defs);
      if (problem) return problem;
    }
  }
  return null;
}

function hasType(type: string | string[], value: unknown): boolean {
  return [type].flat().some((t) => {
    switch (t) {
      case "integer":
        return Number.isInteger(value);
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "array":
        return Array.isArray(value);
      case "object":
        return value !== null && typeof value === "object" && !Array.isArray(value);
      case "null":
        return value === null;
      default:
        return typeof value === t;
    }
  });
}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
