/**
 * A WebSocket close frame is a control frame: 125 bytes of payload at most, two of them the
 * code (RFC 6455 §5.5), so a reason may be at most 123 bytes of UTF-8, and the runtime's
 * `close()` throws on a longer one. A reason that names something the client sent (a match id
 * of up to 128 characters) can pass that, and the throw became an HTTP 500 instead of the
 * close the client was meant to read. Every close the server makes goes through this.
 */
export const MAX_CLOSE_REASON_BYTES = 123;

const ELLIPSIS = "…";
const ELLIPSIS_BYTES = 3;

/**
 * `reason` when it fits in 123 UTF-8 bytes; otherwise as many whole characters as fit before
 * an ellipsis (a character is never split, so the result is still valid UTF-8).
 */
export function closeReason(reason: string): string {
  if (utf8Length(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let kept = "";
  let bytes = 0;
  for (const char of reason) {
    const size = charBytes(char);
    if (bytes + size > MAX_CLOSE_REASON_BYTES - ELLIPSIS_BYTES) break;
    kept += char;
    bytes += size;
  }
  return kept + ELLIPSIS;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += charBytes(char);
  return bytes;
}

/** UTF-8 bytes of one code point; a lone surrogate is sent as U+FFFD, three bytes. */
function charBytes(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}
