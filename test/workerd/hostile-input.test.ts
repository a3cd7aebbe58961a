import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderEvent } from "../../scoring/index.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import {
  internalsIn,
  nestedArrays,
  postRaw,
  postStream,
  RAW_SLOT,
  readStored,
  type StoredMatch,
  withRawJson,
} from "./support/hostile.ts";
import { ingestEvents, matchState, postIngest, SECRETS, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/**
 * Malformed and hostile webhook input. Every case is aimed at one match that already
 * holds a real prefix (seq 1 to 20 of IPL 2020 #36); each must get its documented 4xx,
 * leave that match's state, log and ledger counters as they were, and never crash the
 * Worker. Most bodies are mutations of the match's real next event (seq 21), so a check
 * that wrongly let one through would show up as a changed log.
 */

const TARGET = "hostile-target";
const MiB = 1024 * 1024;
const events = fixtureEvents("1216517", TARGET);
const PREFIX = events.slice(0, 20);
const START = events[0] as ProviderEvent;
const NEXT = events[20] as ProviderEvent;

type Loose = Record<string, unknown> & { payload: Record<string, unknown> };

/** A copy of `base` (the next real event by default) changed by `change`. */
function variant(change: (event: Loose) => void, base: ProviderEvent = NEXT): Loose {
  const event = structuredClone(base) as unknown as Loose;
  change(event);
  return event;
}

const json = (value: unknown) => () => postRaw({ body: JSON.stringify(value) });
const raw = (body: string | Uint8Array, headers?: Record<string, string | null>) => () =>
  postRaw({ body, headers: headers ?? {} });
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const utf8 = (text: string) => new TextEncoder().encode(text);
const nextText = JSON.stringify(NEXT);

interface HostileCase {
  name: string;
  send: () => Promise<Response>;
  status: number;
  /** `error.code` of a refusal of the whole request. */
  code?: string;
  /** For a per-event schema refusal: the path the first error names. */
  path?: string;
  /** For a ledger refusal: the first result's status. */
  outcome?: string;
  /** Anything more the case must show in the reply. */
  also?: (reply: Reply) => void;
}

interface Reply {
  error?: { code: string; message: string };
  counts?: Record<string, number>;
  results?: {
    index: number;
    seq: number | null;
    status: string;
    message?: string;
    errors?: { path: string; message: string }[];
  }[];
}

const envelopeCases: HostileCase[] = [
  { name: "seq negative", send: json(variant((e) => (e.seq = -1))), status: 422, path: "seq" },
  { name: "seq 0", send: json(variant((e) => (e.seq = 0))), status: 422, path: "seq" },
  { name: "seq fractional", send: json(variant((e) => (e.seq = 21.5))), status: 422, path: "seq" },
  { name: 'seq as the string "21"', send: json(variant((e) => (e.seq = "21"))), status: 422, path: "seq" },
  { name: "seq 2^53", send: json(variant((e) => (e.seq = 2 ** 53))), status: 422, path: "seq" },
  { name: "seq 1e308", send: json(variant((e) => (e.seq = 1e308))), status: 422, path: "seq" },
  {
    name: "seq 1e400 (parses to Infinity)",
    send: raw(nextText.replace('"seq":21', '"seq":1e400')),
    status: 422,
    path: "seq",
  },
  {
    name: "seq missing",
    send: json(variant((e) => Reflect.deleteProperty(e, "seq"))),
    status: 422,
    path: "seq",
  },
  { name: "matchId empty", send: json(variant((e) => (e.matchId = ""))), status: 422, path: "matchId" },
  {
    name: "matchId 129 characters",
    send: json(variant((e) => (e.matchId = `${TARGET}-${"x".repeat(129 - TARGET.length - 1)}`))),
    status: 422,
    path: "matchId",
  },
  {
    name: "matchId with a space",
    send: json(variant((e) => (e.matchId = "hostile target"))),
    status: 422,
    path: "matchId",
  },
  {
    name: "matchId '..' (a path segment no read route could reach)",
    send: json(variant((e) => (e.matchId = ".."))),
    status: 422,
    path: "matchId",
  },
  {
    name: "matchId '.'",
    send: json(variant((e) => (e.matchId = "."))),
    status: 422,
    path: "matchId",
  },
  {
    name: "matchId with slashes",
    send: json(variant((e) => (e.matchId = `../${TARGET}/x`))),
    status: 422,
    path: "matchId",
  },
  {
    name: "matchId with a NUL",
    send: json(variant((e) => (e.matchId = `${TARGET}\u0000`))),
    status: 422,
    path: "matchId",
  },
  {
    name: "matchId a number",
    send: json(variant((e) => (e.matchId = 1216517))),
    status: 422,
    path: "matchId",
  },
  {
    name: "ts missing",
    send: json(variant((e) => Reflect.deleteProperty(e, "ts"))),
    status: 422,
    path: "ts",
  },
  { name: "ts not ISO", send: json(variant((e) => (e.ts = "yesterday at tea"))), status: 422, path: "ts" },
  { name: "ts a bare date", send: json(variant((e) => (e.ts = "2020-10-18"))), status: 422, path: "ts" },
  {
    name: "ts without an offset",
    send: json(variant((e) => (e.ts = "2020-10-18T10:10:00"))),
    status: 422,
    path: "ts",
  },
  { name: "ts a number", send: json(variant((e) => (e.ts = 1603015800000))), status: 422, path: "ts" },
  { name: "type unknown", send: json(variant((e) => (e.type = "wicket"))), status: 422, path: "type" },
  {
    name: "type missing",
    send: json(variant((e) => Reflect.deleteProperty(e, "type"))),
    status: 422,
    path: "type",
  },
  {
    name: "type a 100 KB string",
    send: json(variant((e) => (e.type = "d".repeat(100_000)))),
    status: 422,
    path: "type",
  },
];

const payloadCases: HostileCase[] = [
  {
    name: "match.start with an unknown format",
    send: json(
      variant((e) => {
        e.seq = 21;
        e.payload.format = "T30";
      }, START),
    ),
    status: 422,
    path: "payload.format",
  },
  {
    name: "payload with an extra key",
    send: json(variant((e) => (e.payload.umpire = "Aleem Dar"))),
    status: 422,
    path: "payload",
  },
  {
    name: "payload missing",
    send: json(variant((e) => Reflect.deleteProperty(e, "payload"))),
    status: 422,
    path: "payload",
  },
  {
    name: "payload null",
    send: json(variant((e) => (e.payload = null as never))),
    status: 422,
    path: "payload",
  },
  {
    name: "payload an array",
    send: json(variant((e) => (e.payload = [] as never))),
    status: 422,
    path: "payload",
  },
  {
    name: "batterRuns negative",
    send: json(variant((e) => (e.payload.batterRuns = -1))),
    status: 422,
    path: "payload.batterRuns",
  },
  {
    name: "batterRuns 1000",
    send: json(variant((e) => (e.payload.batterRuns = 1000))),
    status: 422,
    path: "payload.batterRuns",
  },
  {
    name: 'batterRuns the string "4"',
    send: json(variant((e) => (e.payload.batterRuns = "4"))),
    status: 422,
    path: "payload.batterRuns",
  },
  {
    name: "batter name of 100 KB",
    send: json(variant((e) => (e.payload.batter = "S".repeat(100_000)))),
    status: 422,
    path: "payload.batter",
  },
  {
    name: "batter name empty",
    send: json(variant((e) => (e.payload.batter = ""))),
    status: 422,
    path: "payload.batter",
  },
  {
    name: "extras with a fractional wide",
    send: json(variant((e) => (e.payload.extras = { wides: 1.5 }))),
    status: 422,
    path: "payload.extras.wides",
  },
  {
    name: "50,000 unknown keys in the payload",
    send: json(
      variant((e) => {
        for (let i = 0; i < 50_000; i++) e.payload[`k${i}`] = 0;
      }),
    ),
    status: 422,
    path: "payload",
  },
  {
    name: "100,000-deep nesting inside payload.extras",
    send: raw(
      withRawJson(
        variant((e) => (e.payload.extras = RAW_SLOT)),
        nestedArrays(100_000),
      ),
    ),
    status: 422,
    path: "payload.extras",
  },
  {
    name: "100,000-deep nesting as the type",
    send: raw(
      withRawJson(
        variant((e) => (e.type = RAW_SLOT)),
        nestedArrays(100_000),
      ),
    ),
    status: 422,
    path: "type",
  },
  {
    name: "100,000-deep nesting as a match format",
    send: raw(
      withRawJson(
        variant((e) => {
          e.seq = 21;
          e.payload.format = RAW_SLOT;
        }, START),
        nestedArrays(100_000),
      ),
    ),
    status: 422,
    path: "payload.format",
  },
  {
    name: "100,000-deep nesting as a dismissal kind",
    send: raw(
      withRawJson(
        variant((e) => (e.payload.wickets = [{ kind: RAW_SLOT, playerOut: "SA Yadav" }])),
        nestedArrays(100_000),
      ),
    ),
    status: 422,
    path: "payload.wickets[0].kind",
  },
];

const prototypeCases: HostileCase[] = [
  {
    name: "__proto__ key at the top level",
    send: raw(`{"__proto__":{"polluted":1},${nextText.slice(1)}`),
    status: 422,
    path: "",
    also: (reply) => expect(JSON.stringify(reply.results?.[0]?.errors)).toContain("__proto__"),
  },
  {
    name: "__proto__ key inside the payload",
    send: raw(nextText.replace('"payload":{', '"payload":{"__proto__":{"polluted":1},')),
    status: 422,
    path: "payload",
    also: (reply) => expect(JSON.stringify(reply.results?.[0]?.errors)).toContain("__proto__"),
  },
  {
    name: "__proto__ key inside payload.extras",
    send: raw(nextText.replace('"extras":{', '"extras":{"__proto__":{"polluted":1},')),
    status: 422,
    path: "payload.extras",
  },
  {
    name: "constructor.prototype at the top level",
    send: raw(`{"constructor":{"prototype":{"polluted":1}},${nextText.slice(1)}`),
    status: 422,
    path: "",
  },
  {
    name: "prototype key inside the payload",
    send: raw(nextText.replace('"payload":{', '"payload":{"prototype":{"polluted":1},')),
    status: 422,
    path: "payload",
  },
  {
    name: 'a batch hidden under "__proto__"',
    send: raw(`{"__proto__":{"events":[${nextText}]}}`),
    status: 422,
  },
  {
    name: "a batch with a __proto__ sibling",
    send: raw(`{"events":[${nextText}],"__proto__":{"polluted":1}}`),
    status: 400,
    code: "bad_shape",
  },
];

const bodyCases: HostileCase[] = [
  { name: "empty body", send: raw(""), status: 400, code: "invalid_json" },
  { name: "whitespace only", send: raw(" \n\t "), status: 400, code: "invalid_json" },
  {
    name: "truncated JSON",
    send: raw(nextText.slice(0, nextText.length / 2)),
    status: 400,
    code: "invalid_json",
  },
  { name: "trailing garbage", send: raw(`${nextText}}garbage`), status: 400, code: "invalid_json" },
  {
    name: "two events back to back (NDJSON)",
    send: raw(`${nextText}\n${nextText}`),
    status: 400,
    code: "invalid_json",
  },
  {
    name: "an invalid UTF-8 byte inside a string",
    send: raw(concat(utf8(nextText.slice(0, 60)), new Uint8Array([0xff]), utf8(nextText.slice(60)))),
    status: 400,
    code: "invalid_json",
  },
  {
    name: "an overlong UTF-8 sequence",
    send: raw(concat(utf8(nextText.slice(0, 60)), new Uint8Array([0xc0, 0xaf]), utf8(nextText.slice(60)))),
    status: 400,
    code: "invalid_json",
  },
  {
    name: "the body in UTF-16LE",
    send: raw(new Uint8Array(Uint16Array.from(nextText, (c) => c.charCodeAt(0)).buffer)),
    status: 400,
    code: "invalid_json",
  },
  { name: "a bare string", send: json("delivery"), status: 400, code: "bad_shape" },
  { name: "a bare number", send: json(21), status: 400, code: "bad_shape" },
  { name: "a bare null", send: json(null), status: 400, code: "bad_shape" },
  { name: "a bare array of events", send: json([NEXT]), status: 400, code: "bad_shape" },
  { name: "an empty object", send: json({}), status: 422, path: "type" },
  { name: "100,000 unclosed [", send: raw("[".repeat(100_000)), status: 400, code: "invalid_json" },
  { name: "100,000-deep nested arrays", send: raw(nestedArrays(100_000)), status: 400 },
  {
    name: "100,000-deep nested objects",
    send: raw(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`),
    status: 422,
  },
];

const batchCases: HostileCase[] = [
  { name: "an empty batch", send: json({ events: [] }), status: 400, code: "empty_batch" },
  { name: "events an object", send: json({ events: {} }), status: 400, code: "bad_shape" },
  { name: "events null", send: json({ events: null }), status: 400, code: "bad_shape" },
  {
    name: "a batch with an extra key",
    send: json({ events: [NEXT], extra: 1 }),
    status: 400,
    code: "bad_shape",
  },
  {
    name: 'a duplicate "events" key, the last one a string',
    send: raw(`{"events":[${nextText}],"events":"none"}`),
    status: 400,
    code: "bad_shape",
  },
  {
    name: "a batch of non-objects",
    send: json({ events: [null, 21, "delivery", [], true] }),
    status: 422,
    path: "",
    also: (reply) => {
      expect(reply.results?.map((r) => [r.index, r.status, r.seq])).toEqual([
        [0, "invalid", null],
        [1, "invalid", null],
        [2, "invalid", null],
        [3, "invalid", null],
        [4, "invalid", null],
      ]);
    },
  },
  {
    name: "10,000 empty events (under 1 MiB)",
    send: json({ events: Array.from({ length: 10_000 }, () => ({})) }),
    status: 413,
    code: "batch_too_large",
  },
  {
    name: "1,001 schema-valid events",
    send: json({ events: Array.from({ length: 1001 }, (_, i) => ({ ...NEXT, seq: 21 + i })) }),
    status: 413,
    code: "batch_too_large",
  },
  {
    // ~225 bytes an event: the body limit trips before the batch is even parsed.
    name: "10,000 real-sized events (over 1 MiB)",
    send: json({ events: Array.from({ length: 10_000 }, (_, i) => ({ ...NEXT, seq: 21 + i })) }),
    status: 413,
    code: "body_too_large",
  },
];

/** A body of exactly `bytes` bytes: an invalid event (seq 0) padded with trailing whitespace. */
function paddedTo(bytes: number): Uint8Array {
  const text = JSON.stringify(variant((e) => (e.seq = 0)));
  return utf8(text + " ".repeat(bytes - text.length));
}

const sizeCases: HostileCase[] = [
  { name: "exactly 1 MiB (read in full)", send: raw(paddedTo(MiB)), status: 422, path: "seq" },
  { name: "1 MiB + 1 byte", send: raw(paddedTo(MiB + 1)), status: 413, code: "body_too_large" },
  {
    name: "1 MiB + 1 byte with a true Content-Length",
    send: raw(paddedTo(MiB + 1), { "content-length": String(MiB + 1) }),
    status: 413,
    code: "body_too_large",
  },
  {
    name: "a small body declaring a 2 MiB Content-Length",
    send: raw(nextText, { "content-length": String(2 * MiB) }),
    status: 413,
    code: "body_too_large",
  },
  {
    name: "1.06 MiB streamed in 64 KiB chunks (no length)",
    send: () => postStream(17, 64 * 1024),
    status: 413,
    code: "body_too_large",
  },
  {
    name: "a stream that never ends",
    send: () => postStream(Number.POSITIVE_INFINITY, 64 * 1024),
    status: 413,
    code: "body_too_large",
  },
];

const conflicting = variant((e) => {
  e.seq = 5;
  e.payload.batterRuns = 6;
}, events[4]);

const ledgerCases: HostileCase[] = [
  {
    name: "seq 5 again with different content (conflict)",
    send: json(conflicting),
    status: 409,
    outcome: "conflict",
  },
  {
    name: "seq 20,000 ahead of the ledger (beyond what it buffers: retry later)",
    send: json(variant((e) => (e.seq = 20 + 20_000))),
    status: 503,
    outcome: "retry",
  },
  {
    name: "seq 2^31 - 1 (the largest the schema allows)",
    send: json(variant((e) => (e.seq = 2 ** 31 - 1))),
    status: 503,
    outcome: "retry",
  },
  {
    name: "a captured event replayed (seq 3, same content)",
    send: json(events[2]),
    status: 200,
    outcome: "duplicate",
  },
];

const headerCases: HostileCase[] = [
  {
    name: "Content-Type text/plain",
    send: raw(nextText, { "content-type": "text/plain" }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "Content-Type missing",
    send: raw(nextText, { "content-type": null }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "Content-Type application/jsonp",
    send: raw(nextText, { "content-type": "application/jsonp" }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "Content-Type of 64 KB",
    send: raw(nextText, { "content-type": `text/${"x".repeat(64 * 1024)}` }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a signature made over a different body",
    send: () => postRaw({ body: nextText, signedBody: JSON.stringify(events[2]) }),
    status: 401,
    code: "signature_mismatch",
  },
  {
    name: "no signature",
    send: raw(nextText, { "x-crease-signature": null }),
    status: 401,
    code: "signature_missing",
  },
  {
    name: "a 64 KB signature header",
    send: raw(nextText, { "x-crease-signature": `t=1,v1=${"a".repeat(64 * 1024)}` }),
    status: 401,
    code: "signature_malformed",
  },
  {
    name: "a signature ten minutes old",
    send: () => postIngest(nextText, { at: Math.floor(Date.now() / 1000) - 600 }),
    status: 401,
    code: "signature_expired",
  },
  {
    name: "a signature under a secret no longer active",
    send: () => postIngest(nextText, { secret: `${SECRETS[0]}-old` }),
    status: 401,
    code: "signature_mismatch",
  },
  {
    name: "GET /v1/ingest",
    send: () => worker("/v1/ingest"),
    status: 405,
    code: "method_not_allowed",
  },
  {
    name: "PUT /v1/ingest",
    send: async () =>
      worker("/v1/ingest", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: nextText,
      }),
    status: 405,
    code: "method_not_allowed",
  },
  {
    name: "POST /v1/ingest/extra",
    send: () => worker("/v1/ingest/extra", { method: "POST", body: nextText }),
    status: 404,
    code: "not_found",
  },
];

const CASES: HostileCase[] = [
  ...bodyCases,
  ...batchCases,
  ...sizeCases,
  ...envelopeCases,
  ...payloadCases,
  ...prototypeCases,
  ...ledgerCases,
  ...headerCases,
];

let baseline: StoredMatch;
let conflictsSeen = 0;

beforeAll(async () => {
  const reply = await ingestEvents(PREFIX);
  expect(reply.results.map((r) => r.status)).toEqual(Array(20).fill("accepted"));
  baseline = await readStored(TARGET);
  expect(JSON.parse(baseline.state)).toMatchObject({ matchId: TARGET, seq: 20 });
  expect((JSON.parse(baseline.log) as { events: unknown[] }).events).toHaveLength(20);
});

afterAll(() => {
  // Nothing above may have reached Object.prototype, in this isolate or through it.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
});

describe(`hostile input aimed at "${TARGET}"`, () => {
  it("has at least 30 kinds of case", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)("$name → $status", async (c) => {
    const res = await c.send();
    const text = await res.text();

    expect(res.status, text.slice(0, 500)).toBe(c.status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(internalsIn(text)).toEqual([]);
    const reply = JSON.parse(text) as Reply;

    if (c.code !== undefined) {
      expect(reply.error?.code).toBe(c.code);
    }
    if (c.status >= 400 && reply.error) {
      expect(typeof reply.error.message).toBe("string");
      expect(reply.error.message.trim()).not.toBe("");
    }
    if (c.path !== undefined) {
      const invalid = reply.results?.find((r) => r.status === "invalid");
      expect(invalid, text.slice(0, 500)).toBeDefined();
      expect(invalid?.index).toBe(0);
      expect(invalid?.errors?.[0]?.path).toBe(c.path);
      expect(invalid?.errors?.every((e) => e.message.trim() !== "")).toBe(true);
    }
    if (c.status === 422 && c.outcome === undefined) {
      // A per-event refusal is reported per event, never as a bare error.
      expect(reply.counts?.invalid).toBeGreaterThan(0);
    }
    if (c.outcome !== undefined) {
      expect(reply.results?.[0]).toMatchObject({ index: 0, status: c.outcome });
      expect(reply.results?.[0]?.message ?? "ok").not.toBe("");
    }
    c.also?.(reply);

    // A conflict is recorded for the operator; nothing else about the match may move.
    if (c.outcome === "conflict") conflictsSeen++;
    const after = await readStored(TARGET);
    expect(after.state).toBe(baseline.state);
    expect(after.log).toBe(baseline.log);
    expect(after.ledger).toEqual({
      ...baseline.ledger,
      conflictsTotal: baseline.ledger.conflictsTotal + conflictsSeen,
    });
    expect((await worker("/health")).status).toBe(200);
  });
});

describe("a batch mixing valid and invalid events", () => {
  const matchId = "hostile-mixed";
  const mixed = fixtureEvents("1216517", matchId);

  it("stores the valid events and reports each invalid one with its index, seq and field", async () => {
    await ingestEvents(mixed.slice(0, 20));
    const [e21, e22, e23, e24, e25, e26] = mixed.slice(20, 26) as ProviderEvent[];
    const parts = [
      e21,
      variant((e) => (e.payload.batterRuns = -1), e24),
      e22,
      variant((e) => (e.seq = "25"), e25),
      e23,
      e26,
    ].map((e) => JSON.stringify(e));
    // Spliced in as text: in an object literal "__proto__" would set the prototype, not add a key.
    parts[5] = (parts[5] ?? "").replace('"payload":{', '"payload":{"__proto__":{"polluted":1},');
    const body = `{"events":[${parts.join(",")}]}`;
    const res = await postRaw({ body });
    const text = await res.text();
    expect(res.status, text.slice(0, 500)).toBe(422);
    expect(internalsIn(text)).toEqual([]);
    const reply = JSON.parse(text) as Reply;
    expect(reply.counts).toEqual({ accepted: 3, invalid: 3 });
    const rows = reply.results ?? [];
    expect(rows.map((r) => [r.index, r.seq, r.status])).toEqual([
      [0, 21, "accepted"],
      [1, 24, "invalid"],
      [2, 22, "accepted"],
      [3, null, "invalid"],
      [4, 23, "accepted"],
      [5, 26, "invalid"],
    ]);
    expect(rows[1]?.errors?.[0]?.path).toBe("payload.batterRuns");
    expect(rows[3]?.errors?.[0]?.path).toBe("seq");
    expect(rows[5]?.errors?.[0]?.path).toBe("payload");
    expect((await matchState(matchId)).seq).toBe(23);
    const log = (await (await worker(`/v1/matches/${matchId}/events?after=0&limit=1000`)).json()) as {
      events: ProviderEvent[];
    };
    expect(log.events.map((e) => e.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });
});

describe("hostile-looking but valid input is stored as plain data", () => {
  it.each(["__proto__", "constructor", "hasOwnProperty", "toString"])(
    'match id "%s" is a plain name',
    async (matchId) => {
      const reply = await ingestEvents(fixtureEvents("1216517", matchId).slice(0, 3));
      expect(reply.results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
      expect(await matchState(matchId)).toMatchObject({ matchId, seq: 3 });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it("a lone surrogate in a player name is stored, replayed as a duplicate and read back", async () => {
    const matchId = "hostile-surrogate";
    const text = JSON.stringify({ events: fixtureEvents("1216517", matchId).slice(0, 3) });
    // JSON can carry a lone UTF-16 surrogate that no UTF-8 byte sequence can: a trap for storage layers.
    const body = text.replace('"batter":"RG Sharma"', '"batter":"RG \\ud800Sharma"');
    expect(body).not.toBe(text);
    const first = await postRaw({ body });
    expect(first.status, await first.clone().text()).toBe(200);
    const again = (await (await postRaw({ body })).json()) as Reply;
    expect(again.results?.map((r) => r.status)).toEqual(["duplicate", "duplicate", "duplicate"]);
    const log = await worker(`/v1/matches/${matchId}/events?after=0`);
    expect(log.status).toBe(200);
    expect(await log.text()).toContain("RG \\ud800Sharma");
  });

  it("the match list still answers after everything above", async () => {
    const res = await worker("/v1/matches");
    expect(res.status).toBe(200);
    const list = (await res.json()) as { matches: { matchId: string }[] };
    expect(list.matches.map((m) => m.matchId)).toContain(TARGET);
  });
});
