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

/**
 * Whether a match is listed in PRIVATE_MATCHES: the caller knows (the list is deployment
 * config), the filter decides what follows from it.
 */
export type MatchVisibility = "public" | "private";

/**
 * Whether the filter names this match id exactly. A private match's moments need this: a
 * `prefix*` or `*` written for a set of public matches must not start carrying a private one
 * that happens to share the prefix, and being told of a private match is a grant made match
 * by match, as a viewer token is.
 */
export function namesMatch(patterns: readonly string[] | null, matchId: string): boolean {
  return patterns?.includes(matchId) ?? false;
}

/** What the filter reads of a moment; a retraction also names the kind it takes back. */
export type Filterable = Pick<MomentBase, "kind" | "matchId"> & { retractedKind?: MomentKind | undefined };

/**
 * Whether an endpoint gets this moment: its kind and its match both pass the filter. A
 * retraction passes when the endpoint asked for retractions or for the kind it takes back: a
 * partner that was told of a wicket is told when the wicket is corrected away. A private
 * match passes only an endpoint that names it exactly (namesMatch); "all matches" (no
 * `matches`) and `prefix*` patterns cover public matches only.
 */
export function wants(filter: EndpointFilter, moment: Filterable, visibility: MatchVisibility): boolean {
  if (filter.kinds !== null) {
    const { kind, retractedKind } = moment;
    const taken =
      kind === "retraction" && retractedKind !== undefined && filter.kinds.includes(retractedKind);
    if (!filter.kinds.includes(kind) && !taken) return false;
  }
  return visibility === "private"
    ? namesMatch(filter.matches, moment.matchId)
    : matchSelected(filter.matches, moment.matchId);
}

/** The endpoints one moment goes to: active ones whose filter passes it (paused ones get none). */
export function recipients(
  subscribers: readonly Subscriber[],
  moment: Filterable,
  visibility: MatchVisibility,
): string[] {
  return subscribers.filter((s) => s.status === "active" && wants(s, moment, visibility)).map((s) => s.id);
}
