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

const HEADERS = {
  feed: "x-crease-feed",
  region: "x-crease-region",
  shard: "x-crease-shard",
  since: "x-crease-since",
  epoch: "x-crease-epoch",
  bridge: "x-crease-bridge",
  matchId: "x-crease-match",
  format: "x-crease-format",
  snapshot: "x-crease-snapshot",
  moments: "x-crease-moments",
} as const;

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
  shard: z.coerce.number().int().min(0),
  since: z.coerce.number().int().min(0).optional(),
  epoch: z.string().min(1).max(64).optional(),
  bridge: z.enum(["1", "0"]).default("0"),
};

const handoffSchema = z.discriminatedUnion("feed", [
  z.object({
    feed: z.literal("match"),
    ...common,
    matchId: z.string().min(1).max(128),
    format: z.enum(LIVE_FORMATS).default("json-patch"),
    snapshot: z.enum(SNAPSHOT_ENCODINGS).default("json"),
    moments: z.enum(["1", "0"]).default("0"),
  }),
  z.object({ feed: z.literal("ticker"), ...common }),
]);

/**
 * The headers of the upgrade request the Worker passes to a room: the handoff, and of the
 * viewer's own headers only what the room reads (the subprotocol it offered). Nothing else of
 * the viewer's request is copied: a join costs one small Headers, whatever the browser sent.
 */
export function encodeHandoff(headers: Headers, handoff: RoomHandoff): Headers {
  const out = new Headers({ upgrade: "websocket" });
  const offered = headers.get("sec-websocket-protocol");
  if (offered !== null) out.set("sec-websocket-protocol", offered);
  out.set(HEADERS.feed, handoff.feed);
  out.set(HEADERS.region, handoff.region);
  out.set(HEADERS.shard, String(handoff.shard));
  const resume =
    handoff.feed === "ticker" ? handoff.since !== undefined && handoff.epoch !== undefined : true;
  if (resume && handoff.since !== undefined) out.set(HEADERS.since, String(handoff.since));
  if (resume && handoff.epoch !== undefined) out.set(HEADERS.epoch, handoff.epoch);
  out.set(HEADERS.bridge, handoff.bridge ? "1" : "0");
  if (handoff.feed === "match") {
    out.set(HEADERS.matchId, handoff.matchId);
    out.set(HEADERS.format, handoff.format);
    out.set(HEADERS.snapshot, handoff.snapshot);
    out.set(HEADERS.moments, handoff.moments ? "1" : "0");
  }
  return out;
}

/**
 * Handoffs already parsed, by their headers' text: a herd's viewers of one room arrive with
 * the same few handoffs (same match, region, shard, format; no resume point), and each is
 * parsed once. Only parsed values are kept; bounded, and simply cleared when full.
 */
const parsedHandoffs = new Map<string, RoomHandoff | null>();
const MAX_PARSED_HANDOFFS = 1000;
const HEADER_ENTRIES = Object.entries(HEADERS);

/** Reads a handoff back in the room; null when the request did not come from the Worker. */
export function parseHandoff(headers: Headers): RoomHandoff | null {
  const values = HEADER_ENTRIES.map(([, name]) => headers.get(name));
  const key = JSON.stringify(values);
  const known = parsedHandoffs.get(key);
  if (known !== undefined) return known;
  if (parsedHandoffs.size >= MAX_PARSED_HANDOFFS) parsedHandoffs.clear();
  const handoff = readHandoff(
    Object.fromEntries(HEADER_ENTRIES.map(([key], i) => [key, values[i] ?? undefined])),
  );
  parsedHandoffs.set(key, handoff === null ? null : Object.freeze(handoff));
  return handoff;
}

function readHandoff(raw: Record<string, string | undefined>): RoomHandoff | null {
  const parsed = handoffSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { since, epoch, bridge, ...rest } = parsed.data;
  const position =
    rest.feed === "ticker"
      ? since !== undefined && epoch !== undefined
        ? { since, epoch }
        : {}
      : { ...(since !== undefined ? { since } : {}), ...(epoch !== undefined ? { epoch } : {}) };
  const base = { ...position, bridge: bridge === "1" };
  return rest.feed === "match" ? { ...rest, ...base, moments: rest.moments === "1" } : { ...rest, ...base };
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
