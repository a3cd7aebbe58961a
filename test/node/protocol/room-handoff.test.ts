import { describe, expect, it } from "vitest";
import { encodeHandoff, parseHandoff } from "../../../protocol/room-handoff.ts";

/** A viewer's own copies of every handoff header, as a hostile client would send them. */
const smuggled = () =>
  new Headers({
    "x-crease-feed": "match",
    "x-crease-region": "apac",
    "x-crease-shard": "7",
    "x-crease-since": "3",
    "x-crease-epoch": "forged",
    "x-crease-bridge": "1",
    "x-crease-match": "someone-else",
    "x-crease-moments": "1",
    upgrade: "websocket",
  });

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
  });

  it("round-trips a ticker handoff with no match headers left over; its resume point is both or neither", () => {
    const fresh = encodeHandoff(smuggled(), { feed: "ticker", region: "weur", shard: 0, bridge: false });
    expect(parseHandoff(fresh)).toEqual({ feed: "ticker", region: "weur", shard: 0, bridge: false });
    expect(fresh.get("x-crease-match")).toBeNull();
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
    expect(parseHandoff(new Headers())).toBeNull();
    expect(
      parseHandoff(
        new Headers({ "x-crease-feed": "ticker", "x-crease-region": "weur", "x-crease-shard": "-1" }),
      ),
    ).toBeNull();
    expect(
      parseHandoff(
        new Headers({ "x-crease-feed": "match", "x-crease-region": "weur", "x-crease-shard": "0" }),
      ),
    ).toBeNull();
    expect(
      parseHandoff(
        new Headers({ "x-crease-feed": "other", "x-crease-region": "weur", "x-crease-shard": "0" }),
      ),
    ).toBeNull();
  });
});
