/**
 * Marks the end of an exhaustive switch: a new server message type fails to compile here
 * until the client handles it. (The client imports nothing from origin/, hence its own copy.)
 */
export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
