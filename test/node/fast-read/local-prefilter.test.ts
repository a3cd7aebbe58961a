import { describe, expect, it } from "vitest";
import { LocalPrefilter } from "../../../fast-read/local-prefilter.ts";

describe("local rate-limit prefilter", () => {
  it("costs the global counter nothing while a key is cold, then everything held, then one a request", () => {
    const prefilter = new LocalPrefilter(60_000);
    const costs = Array.from({ length: 8 }, () => prefilter.globalCost("1.2.3.4", 5, 1_000));
    expect(costs).toEqual([0, 0, 0, 0, 0, 6, 1, 1]);
  });

  it("counts keys apart, and starts over with a new window", () => {
    const prefilter = new LocalPrefilter(60_000);
    for (let i = 0; i < 5; i++) prefilter.globalCost("a", 5, 0);
    expect(prefilter.globalCost("b", 5, 0)).toBe(0);
    expect(prefilter.globalCost("a", 5, 0)).toBe(6);
    expect(prefilter.globalCost("a", 5, 60_000)).toBe(0);
  });

  it("forgets everything rather than growing past its key budget", () => {
    const prefilter = new LocalPrefilter(60_000, 3);
    for (const key of ["a", "b", "c"]) prefilter.globalCost(key, 1, 0);
    expect(prefilter.globalCost("a", 1, 0)).toBe(0); // the map was full, so it started over
  });

  it("with a threshold of zero, charges every request", () => {
    const prefilter = new LocalPrefilter(60_000);
    expect([prefilter.globalCost("k", 0, 0), prefilter.globalCost("k", 0, 0)]).toEqual([1, 1]);
  });
});
