import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidMatchId,
  LIMITS,
  matchIdSchema,
  parseProviderEvent,
} from "../../../protocol/provider-events.ts";
import type { ProviderEvent } from "../../../scoring/events.ts";

const envelope = { matchId: "cricsheet-1175359", seq: 7, ts: "2019-03-25T10:03:00.000Z" };

const valid: Record<ProviderEvent["type"], ProviderEvent> = {
  "match.start": {
    ...envelope,
    type: "match.start",
    payload: {
      teams: ["Kings XI Punjab", "Rajasthan Royals"],
      format: "T20",
      ballsPerOver: 6,
      oversLimit: 20,
      title: "Indian Premier League #4",
      venue: "Sawai Mansingh Stadium",
      toss: { winner: "Rajasthan Royals", decision: "field" },
    },
  },
  "innings.start": {
    ...envelope,
    type: "innings.start",
    payload: {
      battingTeam: "Rajasthan Royals",
      bowlingTeam: "Kings XI Punjab",
      superOver: false,
      target: { runs: 185, overs: 20 },
      followOn: false,
    },
  },
  delivery: {
    ...envelope,
    type: "delivery",
    payload: {
      innings: 2,
      over: 12,
      ball: 5,
      batter: "JC Buttler",
      nonStriker: "SV Samson",
      bowler: "R Ashwin",
      batterRuns: 0,
      extras: { wides: 1, noballs: 0, byes: 0, legbyes: 0, penalty: 5 },
      nonBoundary: true,
      wickets: [{ kind: "run out", playerOut: "JC Buttler", fielders: ["R Ashwin"] }],
      shot: { angle: 135, distance: 62 },
    },
  },
  penalty: { ...envelope, type: "penalty", payload: { innings: 2, runs: 5, reason: "ball tampering" } },
  correction: {
    ...envelope,
    type: "correction",
    payload: {
      targetSeq: 3,
      delivery: {
        innings: 1,
        over: 0,
        ball: 1,
        batter: "KL Rahul",
        nonStriker: "CH Gayle",
        bowler: "DS Kulkarni",
        batterRuns: 4,
      },
    },
  },
  "innings.end": { ...envelope, type: "innings.end", payload: { innings: 2, reason: "overs complete" } },
  "match.end": {
    ...envelope,
    type: "match.end",
    payload: { result: { kind: "win", winner: "Kings XI Punjab", by: { runs: 14 } } },
  },
};

// biome-ignore lint/suspicious/noExplicitAny: the tests write invalid values at arbitrary depths on purpose.
type Writable = Record<string, any>;

/** A deep copy with one change, so each case starts from a valid event. */
function tweak(type: ProviderEvent["type"], change: (e: Writable) => void): unknown {
  const copy = structuredClone(valid[type]) as Writable;
  change(copy);
  return copy;
}

function issuesOf(input: unknown) {
  const result = parseProviderEvent(input);
  if (result.ok) throw new Error("expected the input to be rejected");
  return result.issues;
}

describe("parseProviderEvent: valid events", () => {
  for (const [type, event] of Object.entries(valid)) {
    it(`accepts a ${type} event and returns it unchanged`, () => {
      const result = parseProviderEvent(JSON.parse(JSON.stringify(event)));
      expect(result).toEqual({ ok: true, event });
    });
  }

  it("accepts the other match results", () => {
    for (const result of [
      { kind: "tie", method: "D/L" },
      { kind: "tie", decidedBy: { winner: "India", method: "bowl-out" } },
      { kind: "draw" },
      { kind: "no result" },
      { kind: "win", winner: "England", method: "Awarded" },
    ]) {
      expect(parseProviderEvent(tweak("match.end", (e) => (e.payload.result = result))).ok).toBe(true);
    }
  });

  it("accepts the umpire's call of over (overEnd) on a delivery and on a corrected one, or none", () => {
    for (const overEnd of [true, false]) {
      const delivery = tweak("delivery", (e) => (e.payload.overEnd = overEnd));
      expect(parseProviderEvent(delivery)).toEqual({ ok: true, event: delivery });
      const correction = tweak("correction", (e) => (e.payload.delivery.overEnd = overEnd));
      expect(parseProviderEvent(correction)).toEqual({ ok: true, event: correction });
    }
    // Optional: every event sent before the field existed is still valid (valid.delivery has none).
    expect(valid.delivery.payload).not.toHaveProperty("overEnd");
  });

  it("accepts a null oversLimit (Tests), a UTC offset in ts, and a fractional target", () => {
    expect(parseProviderEvent(tweak("match.start", (e) => (e.payload.oversLimit = null))).ok).toBe(true);
    expect(parseProviderEvent(tweak("penalty", (e) => (e.ts = "2019-03-25T15:33:00+05:30"))).ok).toBe(true);
    expect(
      parseProviderEvent(tweak("innings.start", (e) => (e.payload.target = { runs: 45, overs: 9.5 }))).ok,
    ).toBe(true);
  });
});

describe("parseProviderEvent: rejected events name the field and the reason", () => {
  it("a negative extra", () => {
    expect(issuesOf(tweak("delivery", (e) => (e.payload.extras.wides = -1)))).toEqual([
      { path: "payload.extras.wides", message: expect.stringMatching(/>=\s*0/) },
    ]);
  });

  it("a non-integer run count", () => {
    const issues = issuesOf(tweak("delivery", (e) => (e.payload.batterRuns = 1.5)));
    expect(issues[0]?.path).toBe("payload.batterRuns");
    expect(issues[0]?.message).toMatch(/int/i);
  });

  it("a missing field", () => {
    const issues = issuesOf(tweak("delivery", (e) => delete e.payload.bowler));
    expect(issues).toEqual([{ path: "payload.bowler", message: expect.stringMatching(/expected string/) }]);
  });

  it("a wicket of an unknown kind, with the array position in the path", () => {
    const issues = issuesOf(tweak("delivery", (e) => (e.payload.wickets[0].kind = "sledged")));
    expect(issues).toEqual([
      { path: "payload.wickets[0].kind", message: expect.stringContaining("sledged") },
    ]);
  });

  it("an unknown match format, named in the message", () => {
    const issues = issuesOf(tweak("match.start", (e) => (e.payload.format = "T30")));
    expect(issues).toEqual([{ path: "payload.format", message: expect.stringContaining('"T30"') }]);
    expect(issues[0]?.message).toContain("T20");
  });

  it("an overEnd that is not true or false, on a delivery or inside a correction", () => {
    for (const bad of ["yes", 1, null]) {
      expect(issuesOf(tweak("delivery", (e) => (e.payload.overEnd = bad)))).toEqual([
        { path: "payload.overEnd", message: expect.stringContaining("overEnd must be true or false") },
      ]);
    }
    expect(issuesOf(tweak("correction", (e) => (e.payload.delivery.overEnd = "no")))[0]?.path).toBe(
      "payload.delivery.overEnd",
    );
  });

  it("an unknown event type, named in the message", () => {
    const issues = issuesOf(tweak("penalty", (e) => (e.type = "drinks")));
    expect(issues).toEqual([{ path: "type", message: expect.stringContaining('"drinks"') }]);
  });

  it("an unknown key, at any depth", () => {
    expect(issuesOf(tweak("penalty", (e) => (e.extra = 1)))).toEqual([
      { path: "", message: expect.stringContaining('"extra"') },
    ]);
    expect(issuesOf(tweak("delivery", (e) => (e.payload.extras.overthrows = 4)))[0]?.path).toBe(
      "payload.extras",
    );
  });

  it("envelope fields: seq, ts, matchId", () => {
    expect(issuesOf(tweak("penalty", (e) => (e.seq = 0)))[0]?.path).toBe("seq");
    expect(issuesOf(tweak("penalty", (e) => (e.seq = 2 ** 31)))[0]?.path).toBe("seq");
    expect(issuesOf(tweak("penalty", (e) => (e.ts = "2019-03-25")))[0]?.path).toBe("ts");
    expect(issuesOf(tweak("penalty", (e) => (e.ts = "2019-03-25T10:00:00")))[0]?.path).toBe("ts");
    expect(issuesOf(tweak("penalty", (e) => (e.matchId = "")))[0]?.path).toBe("matchId");
    expect(issuesOf(tweak("penalty", (e) => (e.matchId = "a/b")))[0]?.message).toMatch(/letters, digits/);
    expect(issuesOf(tweak("penalty", (e) => (e.matchId = "x".repeat(129))))[0]?.path).toBe("matchId");
  });

  it("out-of-range numbers: balls per over, over, ball, runs, too many wickets or fielders", () => {
    expect(issuesOf(tweak("match.start", (e) => (e.payload.ballsPerOver = 11)))[0]?.path).toBe(
      "payload.ballsPerOver",
    );
    expect(issuesOf(tweak("match.start", (e) => (e.payload.ballsPerOver = 0)))[0]?.path).toBe(
      "payload.ballsPerOver",
    );
    expect(issuesOf(tweak("delivery", (e) => (e.payload.ball = 0)))[0]?.path).toBe("payload.ball");
    expect(issuesOf(tweak("delivery", (e) => (e.payload.over = -1)))[0]?.path).toBe("payload.over");
    expect(issuesOf(tweak("delivery", (e) => (e.payload.batterRuns = 100)))[0]?.path).toBe(
      "payload.batterRuns",
    );
    expect(issuesOf(tweak("delivery", (e) => (e.payload.batterRuns = Number.NaN)))[0]?.path).toBe(
      "payload.batterRuns",
    );
    const wicket = { kind: "bowled", playerOut: "X" };
    expect(
      issuesOf(
        tweak("delivery", (e) => (e.payload.wickets = Array(LIMITS.maxWicketsPerBall + 1).fill(wicket))),
      )[0]?.path,
    ).toBe("payload.wickets");
    expect(
      issuesOf(tweak("delivery", (e) => (e.payload.wickets[0].fielders = ["a", "b", "c", "d", "e"]))),
    ).toEqual([{ path: "payload.wickets[0].fielders", message: expect.stringMatching(/<=\s*4/) }]);
  });

  it("a fielder is a name or a substitute, named or not", () => {
    const fielders = (f: unknown[]) => tweak("delivery", (e) => (e.payload.wickets[0].fielders = f as never));
    const named = fielders(["R Ashwin", { substitute: true }, { substitute: true, name: "X" }]);
    expect(parseProviderEvent(named).ok).toBe(true);
    expect(issuesOf(fielders([{ substitute: false, name: "X" }]))[0]?.path).toBe(
      "payload.wickets[0].fielders[0]",
    );
    expect(issuesOf(fielders([{ name: "X" }]))[0]?.path).toBe("payload.wickets[0].fielders[0]");
  });

  it("huge and empty strings", () => {
    const huge = "x".repeat(1_000_000);
    expect(issuesOf(tweak("delivery", (e) => (e.payload.batter = huge)))).toEqual([
      { path: "payload.batter", message: expect.stringMatching(/<=\s*100/) },
    ]);
    expect(issuesOf(tweak("match.start", (e) => (e.payload.title = huge)))[0]?.path).toBe("payload.title");
    expect(issuesOf(tweak("penalty", (e) => (e.payload.reason = huge)))[0]?.path).toBe("payload.reason");
    expect(issuesOf(tweak("match.start", (e) => (e.payload.teams[1] = "")))[0]?.path).toBe(
      "payload.teams[1]",
    );
  });

  it("inputs that are not objects", () => {
    for (const input of [null, undefined, "event", 42, [], true]) {
      expect(parseProviderEvent(input).ok).toBe(false);
    }
  });
});

describe("parseProviderEvent: prototype pollution", () => {
  const keys = ["__proto__", "constructor", "prototype"];

  for (const key of keys) {
    it(`rejects a "${key}" key at the top level and inside a payload, and pollutes nothing`, () => {
      const event = JSON.stringify(valid.delivery);
      const atTop = JSON.parse(event.replace(/^\{/, `{"${key}":{"polluted":true},`));
      const inPayload = JSON.parse(event.replace('"payload":{', `"payload":{"${key}":{"polluted":true},`));
      const inExtras = JSON.parse(event.replace('"extras":{', `"extras":{"${key}":{"polluted":true},`));
      // JSON.parse makes "__proto__" an own, enumerable key rather than setting the prototype.
      expect(Object.keys(atTop)).toContain(key);

      for (const [input, path] of [
        [atTop, ""],
        [inPayload, "payload"],
        [inExtras, "payload.extras"],
      ] as const) {
        const issues = issuesOf(input);
        expect(issues).toContainEqual({ path, message: expect.stringContaining(key) });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
    });
  }

  it("returns a fresh object whose prototype is Object.prototype", () => {
    const result = parseProviderEvent(JSON.parse(JSON.stringify(valid["match.start"])));
    if (!result.ok) throw new Error("expected a valid event");
    expect(Object.getPrototypeOf(result.event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.event.payload)).toBe(Object.prototype);
  });
});

describe("the match id check every join asks", () => {
  it("gives the schema's verdict on every kind of id", () => {
    const alphabet = fc.constantFrom(..."Aa0._:-/ é%\n".split(""));
    const ids = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 140 }),
      fc.constantFrom("", ".", "..", "...", "a".repeat(128), "a".repeat(129), "ipl-2024:final.1"),
      fc.anything(),
    );
    fc.assert(
      fc.property(ids, (id) => {
        expect(isValidMatchId(id)).toBe(matchIdSchema.safeParse(id).success);
      }),
      { numRuns: 2000 },
    );
  });
});
