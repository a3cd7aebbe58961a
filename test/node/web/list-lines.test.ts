import { describe, expect, it } from "vitest";
import { type ListedMatch, newerLine, parseMatches } from "../../../web/src/list/summary.ts";

const line = (lastEventTs: string | null, status = "live"): ListedMatch => ({
  matchId: "m1",
  status,
  teams: ["A", "B"],
  title: null,
  innings: [],
  result: null,
  viewers: 0,
  lastEventTs,
});

describe("the list page's line for a match", () => {
  it("keeps the newer of the list's line and the ticker's headline, by the source's event time", () => {
    const listed = line("2019-03-25T10:02:30.000Z");
    // The ticker coalesces: its first headline may be the match's birth, before any event.
    expect(newerLine(listed, line(null, "scheduled"))).toBe(listed);
    expect(newerLine(listed, line("2019-03-25T10:01:00.000Z", "scheduled"))).toBe(listed);
    const later = line("2019-03-25T10:03:00.000Z", "finished");
    expect(newerLine(listed, later)).toBe(later);
    const same = line("2019-03-25T10:02:30.000Z");
    expect(newerLine(listed, same)).toBe(same);
    expect(newerLine(undefined, listed)).toBe(listed);
    expect(newerLine(line(null, "scheduled"), listed)).toBe(listed);
  });

  it("reads lastEventTs from /v1/matches", () => {
    const [m] = parseMatches({
      matches: [{ matchId: "m1", status: "live", lastEventTs: "2019-03-25T10:02:30.000Z" }],
    });
    expect(m?.lastEventTs).toBe("2019-03-25T10:02:30.000Z");
  });
});
