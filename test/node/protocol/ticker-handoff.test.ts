import { describe, expect, it } from "vitest";
import { encodeTickerHandoff, parseTickerHandoff } from "../../../protocol/ticker-handoff.ts";

describe("the Worker → ticker room handoff", () => {
  it("round-trips, and a viewer's own copies of its headers never pass for the Worker's", () => {
    const smuggled = new Headers({
      "x-crease-ticker-region": "apac",
      "x-crease-ticker-shard": "7",
      "x-crease-ticker-since": "3",
      "x-crease-ticker-epoch": "forged",
      "x-crease-ticker-bridge": "1",
      upgrade: "websocket",
    });
    const out = encodeTickerHandoff(smuggled, { region: "weur", shard: 0, bridge: false });
    expect(parseTickerHandoff(out)).toEqual({ region: "weur", shard: 0, bridge: false });
    expect(out.get("upgrade")).toBe("websocket");
    const resumed = encodeTickerHandoff(new Headers(), {
      region: "weur",
      shard: 2,
      since: 9,
      epoch: "e1",
      bridge: true,
    });
    expect(parseTickerHandoff(resumed)).toEqual({
      region: "weur",
      shard: 2,
      since: 9,
      epoch: "e1",
      bridge: true,
    });
  });

  it("is refused when it did not come from the Worker", () => {
    expect(parseTickerHandoff(new Headers())).toBeNull();
    expect(
      parseTickerHandoff(new Headers({ "x-crease-ticker-region": "weur", "x-crease-ticker-shard": "-1" })),
    ).toBeNull();
  });
});
