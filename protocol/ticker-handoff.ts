/**
 * The contract between the Worker and a ticker room: how a ticker viewer's upgrade is handed
 * over, on headers the Worker sets after checking everything (a viewer's own copies of them
 * are overwritten or removed). Refusals are the match rooms' (./room-handoff.ts).
 */
import { z } from "zod";

const HEADERS = {
  region: "x-crease-ticker-region",
  shard: "x-crease-ticker-shard",
  since: "x-crease-ticker-since",
  epoch: "x-crease-ticker-epoch",
  bridge: "x-crease-ticker-bridge",
} as const;

export interface TickerHandoff {
  region: string;
  shard: number;
  /** Resume from this ticker version of `epoch` (both or neither). */
  since?: number;
  epoch?: string;
  /** The SSE route's internal socket: never judged silent. */
  bridge: boolean;
}

const schema = z.object({
  region: z.string().min(1).max(8),
  shard: z.coerce.number().int().min(0),
  since: z.coerce.number().int().min(0).optional(),
  epoch: z.string().min(1).max(64).optional(),
  bridge: z.enum(["1", "0"]).default("0"),
});

export function encodeTickerHandoff(headers: Headers, handoff: TickerHandoff): Headers {
  const out = new Headers(headers);
  out.set(HEADERS.region, handoff.region);
  out.set(HEADERS.shard, String(handoff.shard));
  if (handoff.since !== undefined && handoff.epoch !== undefined) {
    out.set(HEADERS.since, String(handoff.since));
    out.set(HEADERS.epoch, handoff.epoch);
  } else {
    out.delete(HEADERS.since);
    out.delete(HEADERS.epoch);
  }
  out.set(HEADERS.bridge, handoff.bridge ? "1" : "0");
  return out;
}

/** Reads a handoff back in the ticker room; null when the request did not come from the Worker. */
export function parseTickerHandoff(headers: Headers): TickerHandoff | null {
  const get = (name: string) => headers.get(name) ?? undefined;
  const parsed = schema.safeParse({
    region: get(HEADERS.region),
    shard: get(HEADERS.shard),
    since: get(HEADERS.since),
    epoch: get(HEADERS.epoch),
    bridge: get(HEADERS.bridge),
  });
  if (!parsed.success) return null;
  const { bridge, since, epoch, ...rest } = parsed.data;
  return {
    ...rest,
    bridge: bridge === "1",
    ...(since !== undefined && epoch !== undefined ? { since, epoch } : {}),
  };
}
