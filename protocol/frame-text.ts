/**
 * One frame's text read as JSON, then checked, for every feed and both checkers (zod on the
 * server, the generated JSON Schema in the browser): the error names the feed's frame and what
 * was wrong, never echoes the frame.
 */
export type FrameCheck<T> = { ok: true; message: T } | { ok: false; reason: string };

export function readFrame<T>(
  frame: string,
  what: string,
  check: (value: unknown) => FrameCheck<T>,
): FrameCheck<T> {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return { ok: false, reason: `${what} frame is not JSON` };
  }
  return check(value);
}
