import { describe, expect, it } from "vitest";
import { encodeHandoff, parseHandoff } from "../../../protocol/room-handoff.ts";

/** A viewer's own handoff header (and the old per-field ones), as a hostile client would send them. */
const smuggled = () =>
  new Headers({
    "x-crease-handoff": JSON.stringify({ feed: "match", matchId: "someone-else", region: "apac", shard: 7 }),
    "x-crease-feed": "match",
    "x-crease-match": "someone-else",
    "x-crease-bridge": "1",
    "sec-websocket-protocol": "crease.v1",
    upgrade: "websocket",
  });
const handoffOf = (headers: Headers) => JSON.parse(headers.get("x-crease-handoff") ?? "null");

describe("the Worker → room handoff, one contract for every feed", () => {
  it("round-trips a match handoff, and a viewer's own copies of its headers never pass for the Worker's", () => {
    const out = encodeHandoff(smuggled(), {
      feed: "match",
      matchId: "m1",
      region: "weur",
      shard: 0,
      bridge: false,
      format: "fossil",
      snapshot: "gzip",
      moments: false,
    });
    expect(parseHandoff(out)).toEqual({
      feed: "match",
      matchId: "m1",
      region: "weur",
      shard: 0,
      bridge: false,
      format: "fossil",
      snapshot: "gzip",
      moments: false,
    });
    expect(out.get("upgrade")).toBe("websocket");
    // Of the viewer's own headers, only the subprotocol it offered goes on.
    expect([...out.keys()].sort()).toEqual(["sec-websocket-protocol", "upgrade", "x-crease-handoff"]);
  });

  it("round-trips a ticker handoff with no match headers left over; its resume point is both or neither", () => {
    const fresh = encodeHandoff(smuggled(), { feed: "ticker", region: "weur", shard: 0, bridge: false });
    expect(parseHandoff(fresh)).toEqual({ feed: "ticker", region: "weur", shard: 0, bridge: false });
    expect(handoffOf(fresh)).not.toHaveProperty("matchId");
    const resumed = encodeHandoff(new Headers(), {
      feed: "ticker",
      region: "weur",
      shard: 2,
      since: 9,
      epoch: "e1",
      bridge: true,
    });
    expect(parseHandoff(resumed)).toEqual({
      feed: "ticker",
      region: "weur",
      shard: 2,
      since: 9,
      epoch: "e1",
      bridge: true,
    });
    const half = encodeHandoff(new Headers(), {
      feed: "ticker",
      region: "weur",
      shard: 1,
      since: 9,
      bridge: false,
    });
    expect(parseHandoff(half)).toEqual({ feed: "ticker", region: "weur", shard: 1, bridge: false });
  });

  it("a match handoff may resume by seq alone (the SSE bridge's any-epoch)", () => {
    const out = encodeHandoff(new Headers(), {
      feed: "match",
      matchId: "m1",
      region: "weur",
      shard: 1,
      since: 40,
      bridge: true,
      format: "json-patch",
      snapshot: "json",
      moments: false,
    });
    expect(parseHandoff(out)).toMatchObject({ since: 40, bridge: true });
    expect(parseHandoff(out)).not.toHaveProperty("epoch");
  });

  it("is refused when it did not come from the Worker", () => {
    const header = (value: string) => new Headers({ "x-crease-handoff": value });
    const ticker = { feed: "ticker", region: "weur", shard: 0, bridge: false };
    expect(parseHandoff(new Headers())).toBeNull();
    expect(parseHandoff(header("{not json"))).toBeNull();
    expect(parseHandoff(header(JSON.stringify({ ...ticker, shard: -1 })))).toBeNull();
    expect(parseHandoff(header(JSON.stringify({ ...ticker, shard: "0" })))).toBeNull();
    expect(parseHandoff(header(JSON.stringify({ ...ticker, feed: "match" })))).toBeNull();
    expect(parseHandoff(header(JSON.stringify({ ...ticker, feed: "other" })))).toBeNull();
    expect(parseHandoff(header(JSON.stringify({ ...ticker, extra: 1 })))).toBeNull();
    // Asked twice, refused twice: a refusal is remembered, never turned into a handoff.
    expect(parseHandoff(header(JSON.stringify({ ...ticker, shard: -1 })))).toBeNull();
    expect(parseHandoff(header(JSON.stringify(ticker)))).toEqual(ticker);
  });
});
