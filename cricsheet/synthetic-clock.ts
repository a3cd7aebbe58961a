/**
 * Event times for a Cricsheet match, made up deterministically.
 *
 * Cricsheet records only the dates a match was played on, never the time of a ball, but
 * every provider event needs a `ts`. So the clock starts at 10:00Z on the first date and
 * moves 30 seconds per event; at 17:00Z play "closes" and resumes at 10:00Z on the next
 * date the file lists (or the day after, once the listed dates run out). The times are
 * plausible and strictly increasing, and the same file always yields the same times;
 * they are not when anything actually happened.
 */

const DAY_START_MS = 10 * 3600_000;
const DAY_END_MS = 17 * 3600_000;
const STEP_MS = 30_000;
const DAY_MS = 24 * 3600_000;

/** Returns a function that yields the next synthetic ISO-8601 timestamp each time it is called. */
export function syntheticClock(dates: readonly string[]): () => string {
  const days = dates.map((d) => Date.parse(`${d}T00:00:00Z`));
  let dayIndex = 0;
  let day = days[0] ?? 0;
  let offset = DAY_START_MS;
  return () => {
    if (offset >= DAY_END_MS) {
      dayIndex += 1;
      const listed = days[dayIndex];
      // Dates in a file are ascending; a listed day that is not after the current one is ignored.
      day = listed !== undefined && listed > day ? listed : day + DAY_MS;
      offset = DAY_START_MS;
    }
    const ts = new Date(day + offset).toISOString();
    offset += STEP_MS;
    return ts;
  };
}
