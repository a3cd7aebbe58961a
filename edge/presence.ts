/**
 * Presence timing shared by the rooms (writers) and the readers: a room reports every
 * presence tick; one that has not reported for three ticks has gone silent and no longer
 * counts. Counts are reports that expire, so a crashed room or a lost goodbye can never
 * leave viewers behind.
 */
export const PRESENCE_SILENT_TICKS = 3;

/** How long a presence report counts, for a given tick. */
export function presenceFreshMs(presenceIntervalMs: number): number {
  return PRESENCE_SILENT_TICKS * presenceIntervalMs;
}
