/**
 * "Every viewer applied every version, in order", read from a subscription's updates as
 * [prev, seq] pairs. From the first version on, each update continues the one before (its
 * `prev` is the seq held) and ends on a published version, and the last is the newest. A room
 * may coalesce a run of versions into one patch (docs/protocol.md): the run is still applied
 * in order, on top of exactly the version before it, so it passes; a skipped, repeated or
 * reordered version does not.
 */
export function appliedEveryVersion(
  steps: readonly [number | null, number][],
  versions: readonly number[],
): boolean {
  const published = new Set(versions);
  const [first, ...rest] = steps;
  if (!first || first[1] !== versions[0]) return false;
  let held = first[1];
  for (const [prev, seq] of rest) {
    if (prev !== held || seq <= held || !published.has(seq)) return false;
    held = seq;
  }
  return held === versions.at(-1);
}
