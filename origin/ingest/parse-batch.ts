import { parseProviderEvent } from "../../protocol/provider-events.ts";
import type { ProviderEvent } from "../../scoring/index.ts";

export interface InvalidEvent {
  index: number;
  /** The event's seq and matchId when they could be read, so the provider can find it. */
  seq: number | null;
  matchId: string | null;
  errors: { path: string; message: string }[];
}

export type ParsedBatch =
  | { ok: true; valid: { index: number; event: ProviderEvent }[]; invalid: InvalidEvent[] }
  | { ok: false; code: "bad_shape" | "empty_batch" | "batch_too_large"; message: string };

/**
 * A webhook body is one event or `{"events": [...]}`. Each event is validated on its
 * own: a bad neighbour never costs a valid event its place.
 */
export function parseBatch(body: unknown, maxEvents: number): ParsedBatch {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, code: "bad_shape", message: 'expected one event object or {"events": [...]}' };
  }
  const items = batchItems(body);
  if (!items.ok) return items;
  if (items.events.length === 0)
    return { ok: false, code: "empty_batch", message: "the batch has no events" };
  if (items.events.length > maxEvents) {
    return {
      ok: false,
      code: "batch_too_large",
      message: `the batch has ${items.events.length} events; at most ${maxEvents} per request`,
    };
  }
  const valid: { index: number; event: ProviderEvent }[] = [];
  const invalid: InvalidEvent[] = [];
  items.events.forEach((item, index) => {
    const parsed = parseProviderEvent(item);
    if (parsed.ok) valid.push({ index, event: parsed.event });
    else invalid.push({ index, seq: readSeq(item), matchId: readMatchId(item), errors: parsed.issues });
  });
  return { ok: true, valid, invalid };
}

function batchItems(
  body: object,
): { ok: true; events: unknown[] } | { ok: false; code: "bad_shape"; message: string } {
  if (!Object.hasOwn(body, "events")) return { ok: true, events: [body] };
  const keys = Object.keys(body);
  if (keys.length !== 1) {
    return {
      ok: false,
      code: "bad_shape",
      message: `a batch has only "events"; unexpected: ${keys
        .filter((k) => k !== "events")
        .slice(0, 5)
        .join(", ")}`,
    };
  }
  const events: unknown = (body as { events: unknown }).events;
  if (!Array.isArray(events)) return { ok: false, code: "bad_shape", message: '"events" must be an array' };
  return { ok: true, events };
}

function readSeq(item: unknown): number | null {
  if (item === null || typeof item !== "object" || !Object.hasOwn(item, "seq")) return null;
  const seq: unknown = (item as { seq: unknown }).seq;
  return typeof seq === "number" && Number.isFinite(seq) ? seq : null;
}

function readMatchId(item: unknown): string | null {
  if (item === null || typeof item !== "object" || !Object.hasOwn(item, "matchId")) return null;
  const id: unknown = (item as { matchId: unknown }).matchId;
  return typeof id === "string" && id.length <= 128 ? id : null;
}
