import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAgainst } from "../../../protocol/json-schema-check.ts";
import { serverMessageSchema } from "../../../protocol/live-messages.ts";
import { parseServerMessage } from "../../../protocol/live-wire.ts";
import { SERVER_MESSAGE_SCHEMA } from "../../../protocol/wire-schemas.generated.ts";
import { generate } from "../../../scripts/gen-wire-schema.ts";

/**
 * The browser checks server frames with the JSON Schema generated from the server's zod
 * schemas (no zod in the bundle). These keep the two from drifting: the committed file is what
 * the generator writes now, and on any value, valid or broken, both say the same.
 */
const ROOT = join(import.meta.dirname, "..", "..", "..");

const seq = fc.oneof(fc.nat(), fc.integer({ min: -3, max: -1 }), fc.double(), fc.constant(2 ** 53));
const text = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 60, maxLength: 140 }));
const json = fc.jsonValue({ maxDepth: 2 });
const op = fc.record(
  {
    op: fc.constantFrom("add", "remove", "replace", "move", "copy", "test", "bogus"),
    path: fc.oneof(fc.string(), fc.integer()),
    from: fc.string(),
    value: json,
  },
  { requiredKeys: ["op"] },
);
/** Shapes near the real messages, each field sometimes missing, mistyped or out of range. */
const messageLike = fc.record(
  {
    type: fc.constantFrom("snapshot", "patch", "delta", "presence", "retry", "pong", "other"),
    matchId: text,
    epoch: text,
    seq,
    prev: seq,
    state: json,
    ops: fc.array(op, { maxLength: 3 }),
    delta: fc.oneof(fc.string(), fc.integer()),
    viewers: seq,
    stale: fc.oneof(fc.boolean(), fc.string()),
    resumed: fc.oneof(fc.boolean(), fc.constant(null)),
    afterMs: seq,
    reason: text,
  },
  { requiredKeys: [] },
);

describe("the browser's check of server frames", () => {
  it("is generated from the server's current zod schemas", () => {
    expect(readFileSync(join(ROOT, "protocol", "wire-schemas.generated.ts"), "utf8")).toBe(generate());
  });

  it("accepts and refuses exactly what zod does", () => {
    fc.assert(
      fc.property(fc.oneof(messageLike, json), (value) => {
        const zod = serverMessageSchema.safeParse(value).success;
        expect(checkAgainst(SERVER_MESSAGE_SCHEMA, value).ok).toBe(zod);
      }),
      { numRuns: 5000 },
    );
  });

  it("names the field and the problem in a refused frame", () => {
    const frame = JSON.stringify({ type: "patch", matchId: "m", seq: -1, prev: 0, ops: [] });
    expect(parseServerMessage(frame)).toEqual({
      ok: false,
      reason: "unexpected server message: seq expected ≥ 0",
    });
    const unknown = parseServerMessage(JSON.stringify({ type: "nope" }));
    expect(unknown.ok ? "" : unknown.reason).toMatch(/type expected one of "snapshot", "patch"/);
  });
});
