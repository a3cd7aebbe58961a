import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signViewerToken } from "../../edge/viewer-token.ts";
import { CLOSE_CODES } from "../../protocol/live-messages.ts";
import { fixtureEvents } from "./support/fixtures.ts";
import { internalsIn } from "./support/hostile.ts";
import { ingestEvents, matchState, worker } from "./support/ingest.ts";
import { settleObjects } from "./support/settle.ts";
import { TestViewer } from "./support/viewer.ts";

// No alarm may fire after the last test, when the pool has hung up (support/settle.ts).
afterAll(() => settleObjects(), 30_000);

/**
 * Hostile viewer input, the read side's counterpart of hostile-input.test.ts: made-up and
 * malformed ids, query strings, headers and handshakes, and frames over an open socket.
 * Every case gets its documented refusal (a JSON error naming the problem, or a close code),
 * never a stack trace, and leaves the match and an honest viewer as they were.
 */
const MATCH = "hostile-view";
const PRIVATE = "private-hostile-view";
const events = fixtureEvents("1216517", MATCH);

beforeAll(async () => {
  await ingestEvents(events.slice(0, 12));
  await ingestEvents(fixtureEvents("1216517", PRIVATE).slice(0, 3));
});

interface HttpCase {
  name: string;
  path: string;
  headers?: Record<string, string>;
  status: number;
  code?: string;
}

const long = (n: number) => "x".repeat(n);

const HTTP_CASES: HttpCase[] = [
  // ids
  {
    name: "an id over 128 characters",
    path: `/v1/matches/${long(129)}`,
    status: 400,
    code: "invalid_match_id",
  },
  { name: "an id with a NUL", path: "/v1/matches/abc%00def", status: 400, code: "invalid_match_id" },
  { name: "an id with a space", path: "/v1/matches/abc%20def", status: 400, code: "invalid_match_id" },
  { name: "an id in Unicode", path: "/v1/matches/%C3%A9t%C3%A9", status: 400, code: "invalid_match_id" },
  { name: "an encoded slash in the id", path: "/v1/matches/a%2Fb", status: 400, code: "invalid_match_id" },
  // The URL resolves %2e%2e away: the request is for /v1/, which is no route at all.
  { name: "an id of encoded dots", path: "/v1/matches/%2e%2e", status: 404, code: "not_found" },
  { name: "an id never ingested", path: "/v1/matches/made-up-id", status: 404, code: "unknown_match" },
  {
    name: "events of an id never ingested",
    path: "/v1/matches/made-up-id/events",
    status: 404,
    code: "unknown_match",
  },
  {
    name: "presence of an id never ingested",
    path: "/v1/matches/made-up-id/presence",
    status: 404,
    code: "unknown_match",
  },
  {
    name: "SSE of an id never ingested",
    path: "/v1/matches/made-up-id/stream",
    status: 404,
    code: "unknown_match",
  },
  // query strings
  { name: "?at=-1", path: `/v1/matches/${MATCH}?at=-1`, status: 400, code: "invalid_parameter" },
  { name: "?at=abc", path: `/v1/matches/${MATCH}?at=abc`, status: 400, code: "invalid_parameter" },
  { name: "?at=1e309", path: `/v1/matches/${MATCH}?at=1e309`, status: 400, code: "invalid_parameter" },
  {
    name: "?at=2^53",
    path: `/v1/matches/${MATCH}?at=9007199254740993`,
    status: 400,
    code: "invalid_parameter",
  },
  { name: "?at=0x10", path: `/v1/matches/${MATCH}?at=0x10`, status: 400, code: "invalid_parameter" },
  {
    name: "events ?limit=0",
    path: `/v1/matches/${MATCH}/events?limit=0`,
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "events ?limit=100000",
    path: `/v1/matches/${MATCH}/events?limit=100000`,
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "events ?after=-5",
    path: `/v1/matches/${MATCH}/events?after=-5`,
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "SSE ?since=abc",
    path: `/v1/matches/${MATCH}/stream?since=abc`,
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "SSE ?epoch=<script>",
    path: `/v1/matches/${MATCH}/stream?since=1&epoch=%3Cscript%3E`,
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "SSE ?epoch of 100 characters",
    path: `/v1/matches/${MATCH}/stream?since=1&epoch=${long(100)}`,
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "SSE ?region=mars",
    path: `/v1/matches/${MATCH}/stream?region=mars`,
    status: 400,
    code: "invalid_region",
  },
  // headers
  {
    name: "Last-Event-ID: garbage",
    path: `/v1/matches/${MATCH}/stream`,
    headers: { "last-event-id": "'; DROP" },
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "Last-Event-ID: 2^40",
    path: `/v1/matches/${MATCH}/stream`,
    headers: { "last-event-id": "1099511627776" },
    status: 400,
    code: "invalid_parameter",
  },
  {
    name: "a private match with a Basic credential",
    path: `/v1/matches/${PRIVATE}`,
    headers: { authorization: "Basic YWRtaW46YWRtaW4=" },
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a private match with 8 KB of Bearer junk",
    path: `/v1/matches/${PRIVATE}`,
    headers: { authorization: `Bearer ${long(8192)}` },
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a private match's events with a token in the query (HTTP takes headers only)",
    path: `/v1/matches/${PRIVATE}/events?token=${long(10)}`,
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a plain GET on the WebSocket route",
    path: `/v1/matches/${MATCH}/ws`,
    status: 426,
    code: "upgrade_required",
  },
  {
    name: "a WebSocket from a foreign Origin",
    path: `/v1/matches/${MATCH}/ws`,
    headers: { upgrade: "websocket", origin: "http://evil.test" },
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "a WebSocket from Origin: null",
    path: `/v1/matches/${MATCH}/ws`,
    headers: { upgrade: "websocket", origin: "null" },
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "a WebSocket asking for format=xml",
    path: `/v1/matches/${MATCH}/ws?format=xml`,
    headers: { upgrade: "websocket" },
    status: 400,
    code: "invalid_format",
  },
  {
    name: "a WebSocket with ?since=-1",
    path: `/v1/matches/${MATCH}/ws?since=-1`,
    headers: { upgrade: "websocket" },
    status: 400,
    code: "invalid_parameter",
  },
];

describe("hostile viewer requests", () => {
  it.each(HTTP_CASES)("$name → $status", async (c) => {
    const before = await matchState(MATCH);
    const res = await worker(c.path, { headers: c.headers });
    const text = await res.text();
    expect(res.status).toBe(c.status);
    expect(internalsIn(text)).toEqual([]);
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    if (c.code) expect(body.error.code).toBe(c.code);
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(await matchState(MATCH)).toEqual(before);
  });

  it("ignores handoff headers a viewer smuggles in (the Worker alone speaks to rooms)", async () => {
    const viewer = await TestViewer.connect(`/v1/matches/${MATCH}/ws?region=weur`, {
      headers: {
        "x-crease-since": "5",
        "x-crease-epoch": "forged",
        "x-crease-shard": "999",
        "x-crease-bridge": "1",
      },
    });
    await viewer.waitForSeq(12);
    // A snapshot, not a replay from 5 of a forged history; and a normal, judged socket.
    expect(viewer.frames[0]?.type).toBe("snapshot");
    viewer.close();
  });

  it.each([83, 100, 128])(
    "closes a socket for an unknown id of %i characters with 4004, its reason cut to fit a close frame",
    async (length) => {
      // The reason names the id: past 123 bytes the close threw, and the handshake was an HTTP 500.
      const viewer = await TestViewer.connect(`/v1/matches/${long(length)}/ws?region=weur`);
      await viewer.waitFor(() => viewer.closed !== null, "close");
      expect(viewer.closed?.code).toBe(CLOSE_CODES.unknownMatch);
      expect(new TextEncoder().encode(viewer.closed?.reason).length).toBeLessThanOrEqual(123);
      expect(viewer.closed?.reason).toMatch(/^no events have been received for match "x+/);
    },
  );

  it.each([
    ["a malformed token subprotocol", "crease.v1, crease.token.123.abc"],
    ["a token for another match", "TOKEN:private-other"],
    ["an expired token", "TOKEN:expired"],
    ["no token at all", "crease.v1"],
    ["a hundred subprotocols", Array.from({ length: 100 }, (_, i) => `p${i}`).join(", ")],
  ])("closes a private match's socket with 4001 on %s", async (_what, protocols) => {
    const now = Math.floor(Date.now() / 1000);
    let offered = protocols;
    if (protocols === "TOKEN:private-other")
      offered = `crease.v1, crease.token.${await signViewerToken("test-viewer-secret", "private-other", now + 60)}`;
    if (protocols === "TOKEN:expired")
      offered = `crease.v1, crease.token.${await signViewerToken("test-viewer-secret", PRIVATE, now - 5)}`;
    const viewer = await TestViewer.connect(`/v1/matches/${PRIVATE}/ws?region=weur`, { protocols: offered });
    await viewer.waitFor(() => viewer.closed !== null, "close");
    expect(viewer.closed?.code).toBe(CLOSE_CODES.unauthorized);
    expect(viewer.frames.filter((f) => f.type === "snapshot" || f.type === "patch")).toEqual([]);
  });
});
