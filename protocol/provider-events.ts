/**
 * The wire schema for provider events: the one place where `unknown` from a provider
 * becomes a typed `ProviderEvent` (see `scoring/events.ts` for the model).
 *
 * Every object is strict (unknown keys are rejected, which also keeps `__proto__` and
 * `constructor` keys from a `JSON.parse`d body out of anything we build), and every
 * string, number and array is bounded, so a hostile or broken feed cannot smuggle in
 * megabyte names or absurd scores.
 */
import { z } from "zod";
import {
  DISMISSAL_KINDS,
  EVENT_TYPES,
  INNINGS_END_REASONS,
  MATCH_FORMATS,
  type ProviderEvent,
} from "../scoring/events.ts";
import { quote, type SchemaIssue, toSchemaIssues } from "./schema-issues.ts";

/** Limits on the wire, exported so tests and producers can aim at the edges. */
export const LIMITS = {
  matchIdLength: 128,
  maxSeq: 2 ** 31 - 1,
  nameLength: 100,
  textLength: 200,
  methodLength: 50,
  maxInnings: 50,
  maxOver: 499,
  maxBallInOver: 40,
  maxRunsPerBall: 99,
  maxWicketsPerBall: 4,
  maxFielders: 4,
  maxTargetRuns: 9999,
} as const;

const MATCH_ID = /^[A-Za-z0-9._:-]+$/;

const name = z.string().min(1).max(LIMITS.nameLength);
const text = z.string().min(1).max(LIMITS.textLength);
const method = z.string().min(1).max(LIMITS.methodLength);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const runs = int(0, LIMITS.maxRunsPerBall);
const inningsNumber = int(1, LIMITS.maxInnings);
const seq = int(1, LIMITS.maxSeq);

const matchFormat = z.enum(MATCH_FORMATS, {
  error: (issue) => `unknown match format ${quote(issue.input)}; expected one of ${MATCH_FORMATS.join(", ")}`,
});

const dismissalKind = z.enum(DISMISSAL_KINDS, {
  error: (issue) => `unknown dismissal kind ${quote(issue.input)}`,
});

const inningsEndReason = z.enum(INNINGS_END_REASONS, {
  error: (issue) =>
    `unknown innings end reason ${quote(issue.input)}; expected one of ${INNINGS_END_REASONS.join(", ")}`,
});

export const matchStartPayloadSchema = z.strictObject({
  teams: z.tuple([name, name]),
  format: matchFormat,
  ballsPerOver: int(1, 10),
  oversLimit: int(1, 100).nullable(),
  title: text.optional(),
  venue: text.optional(),
  toss: z.strictObject({ winner: name, decision: z.enum(["bat", "field"]) }).optional(),
});

export const inningsStartPayloadSchema = z.strictObject({
  battingTeam: name,
  bowlingTeam: name,
  superOver: z.boolean(),
  // Overs may be fractional (9.5 = nine overs and five balls) when rain stops a chase mid-over.
  // null: the chase's target is not the plain one (rain) and the provider cannot give it.
  target: z
    .strictObject({ runs: int(1, LIMITS.maxTargetRuns), overs: z.number().min(0).max(500).optional() })
    .nullable()
    .optional(),
  // The overs this innings is limited to when fewer than the match's (reduced before it began).
  oversLimit: int(1, 100).optional(),
  followOn: z.boolean().optional(),
});

export const extrasSchema = z.strictObject({
  wides: runs.optional(),
  noballs: runs.optional(),
  byes: runs.optional(),
  legbyes: runs.optional(),
  penalty: runs.optional(),
});

// A fielder is a name, or a substitute (Law 24.1), named when the provider knows who it was: the
// card prints "c sub (Name) b Bowler" or "c sub b Bowler". Plain names stay valid as before.
const substituteFielder = z.strictObject({ substitute: z.literal(true), name: name.optional() });

export const wicketSchema = z.strictObject({
  kind: dismissalKind,
  playerOut: name,
  fielders: z
    .array(z.union([name, substituteFielder]))
    .max(LIMITS.maxFielders)
    .optional(),
});

export const deliveryPayloadSchema = z.strictObject({
  innings: inningsNumber,
  over: int(0, LIMITS.maxOver),
  ball: int(1, LIMITS.maxBallInOver),
  batter: name,
  nonStriker: name,
  bowler: name,
  batterRuns: runs,
  extras: extrasSchema.optional(),
  nonBoundary: z.boolean().optional(),
  wickets: z.array(wicketSchema).max(LIMITS.maxWicketsPerBall).optional(),
  shot: z
    .strictObject({ angle: z.number().min(0).max(360), distance: z.number().min(0).max(300).optional() })
    .optional(),
  // The umpire's call of "over" (Law 17.5.1), only when it is not the usual one: true on the ball
  // the umpire called a short (or long) over on, false on each legal ball from the usual last one
  // of an over they let run on. Optional, so existing feeds stay valid. See docs/protocol.md.
  overEnd: z.boolean({ error: "overEnd must be true or false (the umpire's call of over)" }).optional(),
});

export const penaltyPayloadSchema = z.strictObject({
  innings: inningsNumber,
  runs: int(1, LIMITS.maxRunsPerBall),
  reason: text.optional(),
});

export const correctionPayloadSchema = z.strictObject({
  targetSeq: seq,
  delivery: deliveryPayloadSchema,
});

export const inningsEndPayloadSchema = z.strictObject({
  innings: inningsNumber,
  reason: inningsEndReason,
  // Batters who could not come in because they were hurt: the innings closed without them.
  absentHurt: z.array(name).max(11).optional(),
});

export const matchResultSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("win"),
    winner: name,
    by: z
      .strictObject({
        runs: int(0, LIMITS.maxTargetRuns).optional(),
        wickets: int(0, 10).optional(),
        innings: int(0, 10).optional(),
      })
      .optional(),
    method: method.optional(),
  }),
  z.strictObject({
    kind: z.literal("tie"),
    method: method.optional(),
    decidedBy: z.strictObject({ winner: name, method }).optional(),
  }),
  z.strictObject({ kind: z.literal("draw") }),
  z.strictObject({ kind: z.literal("no result") }),
]);

export const matchEndPayloadSchema = z.strictObject({ result: matchResultSchema });

/**
 * A match id: 1 to 128 characters from `A-Z a-z 0-9 . _ : -`, safe in URLs, storage keys and
 * logs, and not only dots (`.` and `..` are path segments a URL resolves away, so such a match
 * could be written but never read or watched). The one validator for ingest and every route.
 */
export const matchIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.matchIdLength)
  .regex(MATCH_ID, { error: "matchId may contain only letters, digits and . _ : -" })
  .refine((id) => !ONLY_DOTS.test(id), { error: "matchId cannot be only dots" });

/**
 * The schema's verdict without building a parse result: every viewer's join asks it, and a
 * Node test holds the two to the same answer on every kind of id (test/node/protocol).
 */
export function isValidMatchId(id: unknown): id is string {
  return (
    typeof id === "string" &&
    id.length >= 1 &&
    id.length <= LIMITS.matchIdLength &&
    MATCH_ID.test(id) &&
    !ONLY_DOTS.test(id)
  );
}

const ONLY_DOTS = /^\.+$/;

function envelope<const T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({
    matchId: matchIdSchema,
    seq,
    ts: z.iso.datetime({ offset: true, error: "ts must be an ISO-8601 date-time with Z or an offset" }),
    type: z.literal(type),
    payload,
  });
}

/** The provider event schema: a union discriminated on `type`. */
export const providerEventSchema = z.discriminatedUnion(
  "type",
  [
    envelope("match.start", matchStartPayloadSchema),
    envelope("innings.start", inningsStartPayloadSchema),
    envelope("delivery", deliveryPayloadSchema),
    envelope("penalty", penaltyPayloadSchema),
    envelope("correction", correctionPayloadSchema),
    envelope("innings.end", inningsEndPayloadSchema),
    envelope("match.end", matchEndPayloadSchema),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? `unknown event type ${quote((issue.input as { type?: unknown } | undefined)?.type)}; expected one of ${EVENT_TYPES.join(", ")}`
        : undefined,
  },
);

export type WireProviderEvent = z.infer<typeof providerEventSchema>;

// Compile-time proof that the wire schema and the engine's model describe the same thing:
// if either side gains or changes a field, one of these lines stops compiling.
type AssignableTo<T extends U, U> = T;
export type WireIsModel = AssignableTo<WireProviderEvent, ProviderEvent>;
export type ModelIsWire = AssignableTo<ProviderEvent, WireProviderEvent>;

export type ParseProviderEventResult =
  | { ok: true; event: ProviderEvent }
  | { ok: false; issues: SchemaIssue[] };

/** Parses one provider event from untrusted input (typically `JSON.parse` of a request body). */
export function parseProviderEvent(input: unknown): ParseProviderEventResult {
  const result = providerEventSchema.safeParse(input);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, issues: toSchemaIssues(result.error) };
}
