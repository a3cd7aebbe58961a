/**
 * The contract between the Worker and a fan-out room, for every feed: how a viewer's upgrade is
 * handed over (headers the Worker sets after checking everything) and how a room refuses one.
 * Encoded and parsed here only, so neither side reads the other's internals. A viewer's own
 * copies of these headers never pass for the Worker's: what a handoff does not set is removed.
 */
import { z } from "zod";
import { LIVE_FORMATS, type LiveFormat } from "./state-delta.ts";

/** The SSE bridge's resume point carries no epoch: this one means "the room's current history". */
export const ANY_EPOCH = "*";

/** The one header a handoff travels in, as JSON: one header to set and one to read per join. */
const HANDOFF_HEADER = "x-crease-handoff";

/** How a viewer asked for its snapshots: JSON text (default) or one gzipped binary frame. */
export const SNAPSHOT_ENCODINGS = ["json", "gzip"] as const;
export type SnapshotEncoding = (typeof SNAPSHOT_ENCODINGS)[number];

/** A room's place: the region's tree and the shard in it. */
export interface TreePosition {
  region: string;
  shard: number;
}

/** A match room's name: the match, the region, the shard. Declared here once. */
export interface RoomIdentity extends TreePosition {
  matchId: string;
}

/** What every feed's handoff carries: where the room is, where the viewer resumes from. */
interface CommonHandoff extends TreePosition {
  /** Resume from this position; the ticker takes both or neither. */
  since?: number;
  epoch?: string;
  /** The SSE route's internal socket: never judged silent or slow. */
  bridge: boolean;
}

export interface MatchHandoff extends CommonHandoff {
  feed: "match";
  matchId: string;
  format: LiveFormat;
  snapshot: SnapshotEncoding;
  /** `moment` messages too (`?moments=1`). */
  moments: boolean;
}

export interface TickerHandoff extends CommonHandoff {
  feed: "ticker";
}

export type RoomHandoff = MatchHandoff | TickerHandoff;
export type Feed = RoomHandoff["feed"];
export type HandoffOf<F extends Feed> = Extract<RoomHandoff, { feed: F }>;

/** Whether a handoff is for `feed`'s rooms (a room of another feed answers 400). */
export function isFeed<F extends Feed>(handoff: RoomHandoff, feed: F): handoff is HandoffOf<F> {
  return handoff.feed === feed;
}

const common = {
  region: z.string().min(1).max(8),
  shard: z.number().int().min(0),
  since: z.number().int().min(0).optional(),
  epoch: z.string().min(1).max(64).optional(),
  bridge: z.boolean(),
};

const handoffSchema = z.discriminatedUnion("feed", [
  z.strictObject({
    feed: z.literal("match"),
    ...common,
    matchId: z.string().min(1).max(128),
    format: z.enum(LIVE_FORMATS),
    snapshot: z.enum(SNAPSHOT_ENCODINGS),
    moments: z.boolean(),
  }),
  z.strictObject({ feed: z.literal("ticker"), ...common }),
]);

/**
 * The headers of the upgrade request the Worker passes to a room: the handoff, and of the
 * viewer's own headers only what the room reads (the subprotocol it offered). Nothing else of
 * the viewer's request is copied (a viewer's own handoff header included): a join costs one
 * small Headers, whatever the browser sent.
 */
export function encodeHandoff(headers: Headers, handoff: RoomHandoff): Headers {
  const out = new Headers({ upgrade: "websocket" });
  const offered = headers.get("sec-websocket-protocol");
  if (offered !== null) out.set("sec-websocket-protocol", offered);
  // The ticker resumes from both halves of a position or from none.
  const { since, epoch, ...rest } = handoff;
  const whole = handoff.feed === "match" || (since !== undefined && epoch !== undefined);
  out.set(HANDOFF_HEADER, JSON.stringify(whole ? handoff : rest));
  return out;
}

/**
 * Handoffs already parsed, by their header's text: a herd's viewers of one room arrive with
 * the same few handoffs (same match, region, shard, format; no resume point), and each is
 * parsed once. Only parsed values are kept; bounded, and simply cleared when full.
 */
const parsedHandoffs = new Map<string, RoomHandoff | null>();
const MAX_PARSED_HANDOFFS = 1000;

/** Reads a handoff back in the room; null when the request did not come from the Worker. */
export function parseHandoff(headers: Headers): RoomHandoff | null {
  const text = headers.get(HANDOFF_HEADER);
  if (text === null) return null;
  const known = parsedHandoffs.get(text);
  if (known !== undefined) return known;
  if (parsedHandoffs.size >= MAX_PARSED_HANDOFFS) parsedHandoffs.clear();
  const handoff = readHandoff(text);
  parsedHandoffs.set(text, handoff === null ? null : Object.freeze(handoff));
  return handoff;
}

function readHandoff(text: string): RoomHandoff | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = handoffSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Why a room refused a viewer: full (try the next shard) or admitting too fast (come back later). */
export type Refusal = { refused: "full" } | { refused: "busy"; retryAfterMs: number };

const refusalSchema = z.discriminatedUnion("refused", [
  z.object({ refused: z.literal("full") }),
  z.object({ refused: z.literal("busy"), retryAfterMs: z.number().int().min(0) }),
]);

export function refusalResponse(refusal: Refusal): Response {
  return Response.json(refusal, { status: refusal.refused === "full" ? 503 : 429 });
}

/** A room's non-101 answer, parsed; null when it is not a refusal (the room failed). */
export async function parseRefusal(response: Response): Promise<Refusal | null> {
  const body: unknown = await response.json().catch(() => null);
  const parsed = refusalSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}
