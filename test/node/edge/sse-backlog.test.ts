import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/crease-config.ts";
import { SseBacklog } from "../../../edge/sse-backlog.ts";

describe("SseBacklog", () => {
  it("cuts past the message bound", () => {
    const backlog = new SseBacklog({ maxMessages: 3, maxBytes: 1_000_000 });
    expect([1, 2, 3].map(() => backlog.admit(10))).toEqual([true, true, true]);
    expect(backlog.admit(10)).toBe(false);
    backlog.taken(10);
    expect(backlog.admit(10)).toBe(true);
    expect(backlog.messages).toBe(3);
  });

  it("cuts past the byte bound, but a single message bigger than it goes to a reader that has taken everything", () => {
    const backlog = new SseBacklog({ maxMessages: 100, maxBytes: 1000 });
    expect(backlog.admit(600)).toBe(true);
    expect(backlog.admit(600)).toBe(false);
    backlog.taken(600);
    expect(backlog.admit(5000)).toBe(true); // a huge snapshot, nothing else waiting
    expect(backlog.admit(1)).toBe(false);
    backlog.taken(5000);
    expect(backlog.bytes).toBe(0);
  });

  it("holds a reader that keeps up forever", () => {
    const backlog = new SseBacklog(parseConfig({}).viewers.stream);
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      if (!backlog.admit(2000)) refused++;
      backlog.taken(2000);
    }
    expect(refused).toBe(0);
  });

  it("fits the largest snapshot (a five-day Test, ~580 KB) and the message bound's worth of patches behind it, at the defaults", () => {
    const backlog = new SseBacklog(parseConfig({}).viewers.stream);
    expect(backlog.admit(600_000)).toBe(true);
    const { maxMessages } = parseConfig({}).viewers.stream;
    for (let i = 1; i < maxMessages; i++) expect(backlog.admit(2000)).toBe(true);
    expect(backlog.admit(2000)).toBe(false); // the message bound comes first
  });
});
