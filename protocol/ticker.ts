/**
 * The ticker: one connection, a headline for every public live (or recently finished) match.
 * The frames a ticker room sends, the publication the match index sends down the ticker tree,
 * and their encoders (checked by `satisfies`). The client sends the live feed's own frames
 * (`ping`, `resume`: protocol/live-messages.ts). Documented in docs/protocol.md, "Ticker".
 */
import * as z from "zod/mini";
import { readFrame } from "./frame-text.ts";
import { feedControlSchemas } from "./live-messages.ts";

const count = z.int().check(z.minimum(0));
const matchId = z.string().check(z.minLength(1), z.maxLength(128));
const epoch = z.string().check(z.minLength(1), z.maxLength(64));

/** One innings as a score line shows it: `184/4 (20.0)`. */
const inningsLineSchema = z.object({ team: z.string(), runs: count, wickets: count, overs: z.string() });

/** One match on the ticker. */
export const headlineSchema = z.object({
  matchId,
  title: z.nullable(z.string()),
  teams: z.array(z.string()),
  status: z.string(),
  innings: z.array(inningsLineSchema),
  /** The runs the side batting last must reach; null unless a target is set. */
  target: z.nullable(count),
  /** While chasing: runs still needed, and legal balls left (null without an overs limit). */
  required: z.nullable(z.object({ runs: count, balls: z.nullable(count) })),
  /** The result line once the match is over, else null. */
  result: z.nullable(z.string()),
  viewers: count,
  /** The source's time of the last event applied (ISO-8601). */
  lastEventTs: z.nullable(z.string()),
});
export type Headline = z.infer<typeof headlineSchema>;

/** Every headline at ticker position `seq` of history `epoch`: the first frame, and after a failed resume. */
export const headlinesMessageSchema = z.object({
  type: z.literal("headlines"),
  epoch,
  seq: count,
  headlines: z.array(headlineSchema),
});

/** One match changed: its whole headline, at `seq`, on top of `prev`. */
export const headlineMessageSchema = z.extend(headlineSchema, {
  type: z.literal("headline"),
  seq: count,
  prev: count,
  resumed: z.optional(z.literal(true)),
});

/** A match left the ticker (finished long enough ago, or removed). */
export const unlistedMessageSchema = z.object({
  type: z.literal("unlisted"),
  matchId,
  seq: count,
  prev: count,
  resumed: z.optional(z.literal(true)),
});

/** Ends a successful resume, after the replayed changes: the client holds `seq` now. */
export const resumedMessageSchema = z.object({ type: z.literal("resumed"), epoch, seq: count });

export const tickerServerMessageSchema = z.discriminatedUnion("type", [
  headlinesMessageSchema,
  headlineMessageSchema,
  unlistedMessageSchema,
  resumedMessageSchema,
  ...feedControlSchemas,
]);
export type TickerServerMessage = z.infer<typeof tickerServerMessageSchema>;
/** One kind of ticker frame, by its `type`. */
type TickerFrame<T extends TickerServerMessage["type"]> = Extract<TickerServerMessage, { type: T }>;
export type HeadlinesMessage = TickerFrame<"headlines">;
export type HeadlineMessage = TickerFrame<"headline">;
export type UnlistedMessage = TickerFrame<"unlisted">;
export type ResumedMessage = TickerFrame<"resumed">;

export type ParsedTickerMessage = { ok: true; message: TickerServerMessage } | { ok: false; reason: string };

/** Parses one ticker frame (client side, and the SSE bridge). */
export function parseTickerMessage(frame: string): ParsedTickerMessage {
  return readFrame(frame, "ticker", (value) => {
    const parsed = tickerServerMessageSchema.safeParse(value);
    if (parsed.success) return { ok: true, message: parsed.data };
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `unexpected ticker message: ${issue?.path.join(".")} ${issue?.message}` };
  });
}

// --- index → ticker rooms ---------------------------------------------------------------

/** One change of the ticker, numbered: a headline (new or changed) or a match leaving it. */
export type TickerEntry =
  | { kind: "headline"; seq: number; prev: number; headline: Headline }
  | { kind: "unlisted"; seq: number; prev: number; matchId: string };

const tickerEntrySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("headline"), seq: count, prev: count, headline: headlineSchema }),
  z.object({ kind: z.literal("unlisted"), seq: count, prev: count, matchId }),
]);

/**
 * A stored change read back (a row is a boundary too); null when it no longer parses. Rows
 * written before the ticker said `seq` named it `version`: read as the same position.
 */
export function parseTickerEntry(value: unknown): TickerEntry | null {
  const row =
    value !== null && typeof value === "object" && !("seq" in value) && "version" in value
      ? { ...value, seq: value.version }
      : value;
  const parsed = tickerEntrySchema.safeParse(row);
  return parsed.success ? parsed.data : null;
}

/**
 * What the match index publishes down the ticker tree, and what it answers a room that pulls:
 * changes on top of a position, or every headline (a room that cannot be brought forward by
 * changes, or a new history).
 */
export type TickerPublication =
  | { kind: "changes"; epoch: string; entries: TickerEntry[] }
  | { kind: "full"; epoch: string; seq: number; headlines: Headline[] };

// --- encoders -----------------------------------------------------------------------------

export function headlinesFrame(epoch: string, seq: number, headlines: Headline[]): string {
  return JSON.stringify({ type: "headlines", epoch, seq, headlines } satisfies HeadlinesMessage);
}

/** A change as a frame; `resumed` on the changes replayed in answer to a resume. */
export function entryFrame(entry: TickerEntry, resumed: boolean): string {
  const flag = resumed ? { resumed: true as const } : {};
  const { seq, prev } = entry;
  return entry.kind === "headline"
    ? JSON.stringify({
        type: "headline",
        ...entry.headline,
        seq,
        prev,
        ...flag,
      } satisfies HeadlineMessage)
    : JSON.stringify({
        type: "unlisted",
        matchId: entry.matchId,
        seq,
        prev,
        ...flag,
      } satisfies UnlistedMessage);
}

export function resumedFrame(epoch: string, seq: number): string {
  return JSON.stringify({ type: "resumed", epoch, seq } satisfies ResumedMessage);
}

/** The SSE event id of a ticker position: the epoch and the seq, so Last-Event-ID resumes both. */
export function tickerEventId(epoch: string, seq: number): string {
  return `${epoch}.${seq}`;
}

/** Reads a Last-Event-ID back; null when it is not one of ours. */
export function parseTickerEventId(id: string): { epoch: string; seq: number } | null {
  const match = /^([A-Za-z0-9_-]{1,64})\.(\d{1,10})$/.exec(id.trim());
  return match?.[1] && match[2] ? { epoch: match[1], seq: Number(match[2]) } : null;
}
