/**
 * Presence timing shared by the rooms (writers) and the readers: a room reports every
 * presence tick; one that has not reported for three ticks has gone silent and no longer counts.
 */
export const PRESENCE_FRESH_MS = 15_000;
