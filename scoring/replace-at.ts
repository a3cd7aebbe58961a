/** Copies an array with one element replaced: structural sharing for the per-ball fold. */
export function replaceAt<T>(items: readonly T[], index: number, value: T): T[] {
  const copy = items.slice();
  copy[index] = value;
  return copy;
}
