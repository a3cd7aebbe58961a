/**
 * Marks the end of an exhaustive switch: adding a member to a union makes every switch that
 * forgot it fail to compile here, instead of silently falling through at runtime.
 */
export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
