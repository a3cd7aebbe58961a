/**
 * The contract between the Worker and a room: how a viewer's upgrade is handed over
 * (headers the Worker sets after checking everything) and how a room refuses one. Encoded
 * and parsed here only, so neither side reads the other's internals.
 */
import { z } from "zod";
import { LIVE_FORMATS, type LiveFormat } from "./state-delta.ts";

/** The SSE bridge's resume point carries no epoch: this one means "the room's current history". */
export const ANY_EPOCH = "*";

const HEADERS = {
  matchId: "x-crease-match",
  region: "x-crease-region",
  shard: "x-crease-shard",
  since: "x-crease-since",
  epoch: "x-crease-epoch",
  bridge: "x-crease-bridge",
  format: "x-crease-format",
  snapshot: "x-crease-snapshot",
  moments: "x-crease-moments",
} as const;

/** How a viewer asked for its snapshots: JSON text (default) or one gzipped binary frame. */
export const SNAPSHOT_ENCODINGS = ["json", "gzip"] as const;
export type SnapshotEncoding = (typeof SNAPSHOT_ENCODINGS)[number];

export interface RoomHandoff {
  matchId: string;
  region: string;
  shard: number;
  since?: number;
  epoch?: string;
  /** The SSE route's internal socket: never judged as a slow reader. */
  bridge: boolean;
  format: LiveFormat;
  snapshot: SnapshotEncoding;
  /** `moment` messages too (`?moments=1`). */
  moments: boolean;
}

const handoffSchema = z.object({
  matchId: z.string().min(1).max(128),
  region: z.string().min(1).max(8),
  shard: z.coerce.number().int().min(0),
  since: z.coerce.number().int().min(0).optional(),
  epoch: z.string().min(1).max(64).optional(),
  bridge: z.enum(["1", "0"]).default("0"),
  format: z.enum(LIVE_FORMATS).default("json-patch"),
  snapshot: z.enum(SNAPSHOT_ENCODINGS).default("json"),
  moments: z.enum(["1", "0"]).default("0"),
});

/** Writes a handoff onto the headers of the upgrade request the Worker passes to a room. */
export function encodeHandoff(headers: Headers, handoff: RoomHandoff): Headers {
  const out = new Headers(headers);
  out.set(HEADERS.matchId, handoff.matchId);
  out.set(HEADERS.region, handoff.region);
  out.set(HEADERS.shard, String(handoff.shard));
  // A viewer's own headers never pass for the Worker's: what is not set here is removed.
  if (handoff.since !== undefined) out.set(HEADERS.since, String(handoff.since));
  else out.delete(HEADERS.since);
  if (handoff.epoch !== undefined) out.set(HEADERS.epoch, handoff.epoch);
  else out.delete(HEADERS.epoch);
  out.set(HEADERS.bridge, handoff.bridge ? "1" : "0");
  out.set(HEADERS.format, handoff.format);
  out.set(HEADERS.snapshot, handoff.snapshot);
  out.set(HEADERS.moments, handoff.moments ? "1" : "0");
  return out;
}

/** Reads a handoff back in the room; null when the request did not come from the Worker. */
export function parseHandoff(headers: Headers): RoomHandoff | null {
  const get = (name: string) => headers.get(name) ?? undefined;
  const parsed = handoffSchema.safeParse({
    matchId: get(HEADERS.matchId),
    region: get(HEADERS.region),
    shard: get(HEADERS.shard),
    since: get(HEADERS.since),
    epoch: get(HEADERS.epoch),
    bridge: get(HEADERS.bridge),
    format: get(HEADERS.format),
    snapshot: get(HEADERS.snapshot),
    moments: get(HEADERS.moments),
  });
  if (!parsed.success) return null;
  const { bridge, since, epoch, moments, ...rest } = parsed.data;
  return {
    ...rest,
    bridge: bridge === "1",
    moments: moments === "1",
    ...(since !== undefined ? { since } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
  };
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
