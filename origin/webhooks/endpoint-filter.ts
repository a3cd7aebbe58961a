import type { MomentBase, MomentKind } from "../../protocol/moments.ts";

/** What an endpoint asked for: null means every kind (or every match). */
export interface EndpointFilter {
  kinds: readonly MomentKind[] | null;
  /** Match ids, or prefixes ending in `*` ("ipl-2026-*"). */
  matches: readonly string[] | null;
}

export interface Subscriber extends EndpointFilter {
  id: string;
  status: "active" | "paused";
}

/** Whether a match id is one the filter names (exactly, or by a `prefix*`). */
export function matchSelected(patterns: readonly string[] | null, matchId: string): boolean {
  if (patterns === null) return true;
  return patterns.some((pattern) =>
    pattern.endsWith("*") ? matchId.startsWith(pattern.slice(0, -1)) : pattern === matchId,
  );
}

/** Whether an endpoint wants this moment: its kind and its match both pass the filter. */
export function wants(filter: EndpointFilter, moment: Pick<MomentBase, "kind" | "matchId">): boolean {
  if (filter.kinds !== null && !filter.kinds.includes(moment.kind)) return false;
  return matchSelected(filter.matches, moment.matchId);
}

/** The endpoints one moment goes to: active ones whose filter passes it (paused ones get none). */
export function recipients(
  subscribers: readonly Subscriber[],
  moment: Pick<MomentBase, "kind" | "matchId">,
): string[] {
  return subscribers.filter((s) => s.status === "active" && wants(s, moment)).map((s) => s.id);
}
