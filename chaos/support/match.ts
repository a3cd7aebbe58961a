import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { ROOT } from "../../scripts/local-stack.ts";

/** The match every scenario replays unless told otherwise: IPL 2019, a full T20 (the `npm start` default). */
export const DEFAULT_FIXTURE = "1175359";

/** A bundled real match as provider events under `matchId`. */
export function matchEvents(matchId: string, fixture = DEFAULT_FIXTURE): ProviderEvent[] {
  const file = JSON.parse(readFileSync(join(ROOT, "fixtures", "cricsheet", `${fixture}.json`), "utf8"));
  return cricsheetToEvents(file, { matchId });
}

/** What the wire gives back for a state: JSON, so `undefined` fields vanish as they do over HTTP. */
export function asWire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}
