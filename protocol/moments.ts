/**
 * Moments on the wire: the types live with the engine that derives them
 * (`scoring/moment-types.ts`); here they become schemas, for the `moment` socket message, the
 * `GET /v1/matches/:id/moments` page and partner webhooks. Documented in docs/protocol.md.
 */
// zod/mini, like the live messages: a browser client parses these frames too.
import * as z from "zod/mini";
import { DISMISSAL_KINDS, INNINGS_END_REASONS } from "../scoring/events.ts";
import { MOMENT_KINDS, type Moment } from "../scoring/moment-types.ts";

export type {
  BatterMilestoneMoment,
  BoundaryMoment,
  BowlerMilestoneMoment,
  InningsEndMoment,
  Moment,
  MomentBase,
  MomentKind,
  MomentScore,
  OverMoment,
  PartnershipMilestoneMoment,
  ResultMoment,
  RetractionMoment,
  TargetMoment,
  TeamMilestoneMoment,
  WicketMoment,
} from "../scoring/moment-types.ts";
export { MOMENT_KINDS } from "../scoring/moment-types.ts";

const count = z.int().check(z.minimum(0));
const name = z.string().check(z.minLength(1), z.maxLength(200));
const score = z.object({ runs: count, wickets: count });

/** The fields every moment carries. */
const base = {
  id: z.string().check(z.minLength(1), z.maxLength(1024)),
  matchId: z.string().check(z.minLength(1), z.maxLength(128)),
  seq: z.int().check(z.minimum(1)),
  ts: z.string().check(z.minLength(1), z.maxLength(64)),
  innings: count,
};

const matchResult = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("win"),
    winner: z.string(),
    by: z.optional(
      z.object({ runs: z.optional(count), wickets: z.optional(count), innings: z.optional(count) }),
    ),
    method: z.optional(z.string()),
  }),
  z.object({
    kind: z.literal("tie"),
    method: z.optional(z.string()),
    decidedBy: z.optional(z.object({ winner: z.string(), method: z.string() })),
  }),
  z.object({ kind: z.literal("draw") }),
  z.object({ kind: z.literal("no result") }),
]);

/** One moment, any kind (docs/protocol.md, "Moments", lists each kind's fields). */
export const momentSchema = z.discriminatedUnion("kind", [
  z.object({
    ...base,
    kind: z.literal("wicket"),
    team: name,
    batter: name,
    howOut: z.string(),
    dismissal: z.enum(DISMISSAL_KINDS),
    bowler: z.nullable(name),
    fielders: z.array(z.string()),
    wicket: count,
    score,
    over: z.string(),
    batterRuns: count,
    batterBalls: count,
  }),
  z.object({
    ...base,
    kind: z.enum(["four", "six"]),
    team: name,
    batter: name,
    bowler: name,
    over: z.string(),
    score,
  }),
  z.object({
    ...base,
    kind: z.literal("batter-milestone"),
    team: name,
    batter: name,
    runs: count,
    balls: count,
  }),
  z.object({
    ...base,
    kind: z.literal("bowler-milestone"),
    team: name,
    bowler: name,
    wickets: count,
    runs: count,
  }),
  z.object({
    ...base,
    kind: z.literal("partnership-milestone"),
    team: name,
    batters: z.tuple([name, name]),
    runs: count,
    balls: count,
    wicket: count,
  }),
  z.object({ ...base, kind: z.literal("team-milestone"), team: name, runs: count, wickets: count }),
  z.object({
    ...base,
    kind: z.literal("over"),
    team: name,
    over: count,
    bowler: name,
    runs: count,
    wickets: count,
    maiden: z.boolean(),
    score,
  }),
  z.object({
    ...base,
    kind: z.literal("innings-end"),
    team: name,
    score,
    overs: z.string(),
    reason: z.nullable(z.enum(INNINGS_END_REASONS)),
  }),
  z.object({ ...base, kind: z.literal("target"), team: name, runs: count, overs: z.nullable(z.number()) }),
  z.object({ ...base, kind: z.literal("result"), result: matchResult, text: z.string() }),
  z.object({
    ...base,
    kind: z.literal("retraction"),
    retracts: z.string().check(z.minLength(1), z.maxLength(1024)),
    retractedKind: z.enum(
      MOMENT_KINDS.filter((k) => k !== "retraction") as [Exclude<Moment["kind"], "retraction">],
    ),
  }),
]);

/**
 * Server → client, on a match socket opened with `?moments=1`: one moment as it is announced
 * (retractions included), after the patch of the version that made it.
 */
export const momentMessageSchema = z.object({
  type: z.literal("moment"),
  matchId: base.matchId,
  moment: momentSchema,
});
export type MomentMessage = z.infer<typeof momentMessageSchema>;

/** `GET /v1/matches/:id/moments?after=SEQ`: the moments with seq > after, in order. */
export const momentsPageSchema = z.object({
  matchId: base.matchId,
  moments: z.array(momentSchema),
});
export type MomentsPage = z.infer<typeof momentsPageSchema>;

/** The engine's type and the wire's are the same shape, both ways (a compile-time check). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof momentSchema>, Moment> = true;
void sameShape;

export type ParsedMoment = { ok: true; moment: Moment } | { ok: false; reason: string };

/** Parses one moment (a stored row, a webhook body, a frame's payload). */
export function parseMoment(value: unknown): ParsedMoment {
  const parsed = momentSchema.safeParse(value);
  if (parsed.success) return { ok: true, moment: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `not a moment: ${issue?.path.join(".")} ${issue?.message}` };
}
