/**
 * The browser's hand-written check of ticker frames (protocol/ticker-check.ts) and the zod
 * schemas the server uses (protocol/ticker.ts) must agree: on every frame the server's
 * encoders make, and on damaged copies of them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retryFrame } from "../../../protocol/frames.ts";
import {
  entryFrame,
  type Headline,
  headlinesFrame,
  parseTickerEntry,
  parseTickerMessage,
  resumedFrame,
} from "../../../protocol/ticker.ts";
import { readTickerFrame } from "../../../protocol/ticker-check.ts";

const headline = (over: Partial<Headline> = {}): Headline => ({
  matchId: "m1",
  title: "A v B",
  teams: ["A", "B"],
  status: "live",
  innings: [{ team: "A", runs: 184, wickets: 4, overs: "20.0" }],
  target: 185,
  required: { runs: 20, balls: 12 },
  result: null,
  viewers: 3,
  lastEventTs: null,
  ...over,
});

const frames = [
  headlinesFrame("e1", 4, [headline(), headline({ matchId: "m2", required: null, target: null })]),
  headlinesFrame("e1", 0, []),
  entryFrame({ kind: "headline", seq: 5, prev: 4, headline: headline() }, false),
  entryFrame(
    { kind: "headline", seq: 5, prev: 4, headline: headline({ required: { runs: 3, balls: null } }) },
    true,
  ),
  entryFrame({ kind: "unlisted", seq: 6, prev: 5, matchId: "m1" }, true),
  resumedFrame("e1", 6),
  retryFrame(1234, "ticker busy"),
  '{"type":"pong"}',
];

/** Ways to damage a frame: a field set to each kind of wrong value. */
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(-1),
  fc.constant(1.5),
  fc.constant(""),
  fc.constant("x".repeat(300)),
  fc.constant([]),
  fc.constant({}),
  fc.constant(true),
  fc.string(),
  fc.integer(),
);

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  const out: string[][] = prefix.length ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(value: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1);
  if (last !== undefined) node[last] = replacement;
  return copy;
}

describe("the ticker frame check agrees with the schemas", () => {
  it.each(frames)("accepts what the server sends: %s", (frame) => {
    expect(parseTickerMessage(frame).ok).toBe(true);
    expect(readTickerFrame(frame).ok).toBe(true);
  });

  it("gives the same verdict on damaged frames", () => {
    const cases = frames.flatMap((f) => paths(JSON.parse(f)).map((p) => [f, p] as const));
    fc.assert(
      fc.property(fc.constantFrom(...cases), junk, ([frame, path], replacement) => {
        const damaged = JSON.stringify(setAt(JSON.parse(frame), path, replacement));
        expect(readTickerFrame(damaged).ok, `${path.join(".")} = ${JSON.stringify(replacement)}`).toBe(
          parseTickerMessage(damaged).ok,
        );
      }),
      { numRuns: 3000, seed: 14 },
    );
  });

  it("refuses what is not a ticker frame", () => {
    for (const frame of ["nope", "[]", '{"type":"snapshot"}', "null"]) {
      expect(readTickerFrame(frame).ok).toBe(false);
      expect(parseTickerMessage(frame).ok).toBe(false);
    }
  });
});

describe("a stored ticker change read back", () => {
  const change = { kind: "unlisted", prev: 5, matchId: "m1" } as const;

  it("reads today's rows, and rows written when the seq was called `version`, as the same position", () => {
    expect(parseTickerEntry({ ...change, seq: 6 })).toEqual({ ...change, seq: 6 });
    expect(parseTickerEntry({ ...change, version: 6 })).toEqual({ ...change, seq: 6 });
  });

  it("refuses a row with no position", () => {
    expect(parseTickerEntry(change)).toBeNull();
    expect(parseTickerEntry({ ...change, version: "6" })).toBeNull();
  });
});
