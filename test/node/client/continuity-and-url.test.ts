import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AckPolicy } from "../../../client/ack-policy.ts";
import { judgePatch, presenceShowsGap } from "../../../client/continuity.ts";
import { liveSubprotocols, liveUrl } from "../../../client/live-url.ts";

describe("judgePatch", () => {
  it("applies only a patch whose prev is the held seq", () => {
    expect(judgePatch(4, { prev: 4, seq: 5 })).toBe("apply");
    expect(judgePatch(4, { prev: 3, seq: 4 })).toBe("duplicate");
    expect(judgePatch(4, { prev: 0, seq: 2 })).toBe("duplicate");
    expect(judgePatch(4, { prev: 5, seq: 6 })).toBe("gap");
    expect(judgePatch(4, { prev: 3, seq: 6 })).toBe("gap");
    expect(judgePatch(null, { prev: 0, seq: 1 })).toBe("unanchored");
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), (held, prev, seq) => {
        const verdict = judgePatch(held, { prev, seq });
        return (verdict === "apply") === (prev === held && seq > held);
      }),
    );
  });

  it("reads a presence with a newer seq as a gap", () => {
    expect(presenceShowsGap(4, 5)).toBe(true);
    expect(presenceShowsGap(4, 4)).toBe(false);
    expect(presenceShowsGap(null, 9)).toBe(false);
  });
});

describe("liveUrl", () => {
  it("turns an http(s) base into ws(s), keeps a base path, and adds the position only whole", () => {
    expect(liveUrl("https://crease.test", "m1", null, undefined)).toBe("wss://crease.test/v1/matches/m1/ws");
    expect(liveUrl("http://127.0.0.1:8787/api/", "a b/c", { seq: 3, epoch: "e" }, "weur")).toBe(
      "ws://127.0.0.1:8787/api/v1/matches/a%20b%2Fc/ws?since=3&epoch=e&region=weur",
    );
    expect(liveUrl("wss://crease.test", "m1", null, undefined)).toBe("wss://crease.test/v1/matches/m1/ws");
    expect(liveUrl("wss://crease.test", "m1", null, undefined, "json-patch", true)).toBe(
      "wss://crease.test/v1/matches/m1/ws?snapshot=gzip",
    );
  });

  it("offers crease.v1, and the token as a second subprotocol", () => {
    expect(liveSubprotocols(undefined)).toEqual(["crease.v1"]);
    expect(liveSubprotocols("abc.DEF-1")).toEqual(["crease.v1", "crease.token.abc.DEF-1"]);
    expect(() => liveSubprotocols("")).toThrow(TypeError);
  });
});

describe("AckPolicy", () => {
  it("acks every 5th beat or 20th patch, whichever comes first, then counts afresh", () => {
    const policy = new AckPolicy();
    expect([1, 2, 3, 4, 5].map(() => policy.onBeat())).toEqual([false, false, false, false, true]);
    for (let i = 0; i < 19; i++) expect(policy.onPatch()).toBe(false);
    expect(policy.onPatch()).toBe(true);
    expect(policy.onBeat()).toBe(false);
  });
});
