import { describe, expect, it } from "vitest";
import { InFlight } from "../../../edge/in-flight.ts";

describe("InFlight", () => {
  it("shares one read between identical concurrent asks, and forgets it once settled", async () => {
    const reads = new InFlight<number>();
    let calls = 0;
    let release: (v: number) => void = () => {};
    const read = () => {
      calls += 1;
      return new Promise<number>((r) => {
        release = r;
      });
    };
    const asks = Array.from({ length: 1000 }, () => reads.run("e1:2", read));
    expect(calls).toBe(1);
    expect(reads.size).toBe(1);
    release(42);
    expect(await Promise.all(asks)).toEqual(Array(1000).fill(42));
    expect(reads.size).toBe(0);
    // Settled: the next ask is a new read (nothing cached past the flight).
    const next = reads.run("e1:2", () => Promise.resolve(43));
    expect(await next).toBe(43);
    expect(reads.started).toBe(2);
  });

  it("keeps different keys apart and passes a failure to every asker, then forgets it", async () => {
    const reads = new InFlight<string>();
    const a = reads.run("a", () => Promise.resolve("a"));
    const b = reads.run("b", () => Promise.resolve("b"));
    expect(await Promise.all([a, b])).toEqual(["a", "b"]);
    const failing = () => Promise.reject(new Error("ledger down"));
    const both = [reads.run("c", failing), reads.run("c", failing)];
    for (const p of both) await expect(p).rejects.toThrow("ledger down");
    expect(reads.started).toBe(3);
    expect(reads.size).toBe(0);
  });
});
