/**
 * The browser's check of a ticker frame, without zod: the JSON Schema zod writes for the
 * server's ticker messages (./ticker.ts; scripts/gen-wire-schema.ts), read by
 * ./json-schema-check.ts, as the match feed's frames are (./live-wire.ts). A Node test holds it
 * to zod's verdicts on valid frames and on every kind of damage (test/node/protocol/ticker-check.test.ts).
 */
import { readFrame } from "./frame-text.ts";
import { checkAgainst } from "./json-schema-check.ts";
import type { TickerServerMessage } from "./ticker.ts";
import { TICKER_SERVER_MESSAGE_SCHEMA } from "./wire-schemas.generated.ts";

export type TickerCheck = { ok: true; message: TickerServerMessage } | { ok: false; reason: string };

/** Checks a parsed ticker frame with the JSON Schema generated from the server's zod schemas. */
export function checkTickerFrame(value: unknown): TickerCheck {
  const verdict = checkAgainst(TICKER_SERVER_MESSAGE_SCHEMA, value);
  if (!verdict.ok)
    return { ok: false, reason: `unexpected ticker message: ${verdict.path.slice(1)} ${verdict.problem}` };
  // Checked above against the JSON Schema of tickerServerMessageSchema, which is this type.
  return { ok: true, message: value as TickerServerMessage };
}

/** Parses and checks one ticker frame's text. */
export function readTickerFrame(frame: string): TickerCheck {
  return readFrame(frame, "ticker", checkTickerFrame);
}
