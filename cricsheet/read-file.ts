/**
 * Node-only: reads a Cricsheet file from disk. Kept apart from the pure adapter so that
 * `to-events.ts` can run in workerd and the browser, where there is no `node:fs`.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { ProviderEvent } from "../scoring/events.ts";
import { CricsheetError } from "./cricsheet-error.ts";
import { cricsheetToEvents } from "./to-events.ts";

/** `cricsheet-<id>` from a file named `<id>.json`, with anything outside the matchId charset replaced. */
export function defaultMatchId(path: string): string {
  const id = basename(path)
    .replace(/\.json$/i, "")
    .replace(/[^A-Za-z0-9._:-]/g, "_");
  return `cricsheet-${id}`.slice(0, 128);
}

/** Reads the JSON of a file, throwing `CricsheetError` with a one-line reason when it cannot be read or parsed. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "unreadable");
    throw new CricsheetError(`cannot read ${path}: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CricsheetError(`${path} is not JSON: ${(err as Error).message}`);
  }
}

/** Reads a Cricsheet match file and returns its provider events (matchId `cricsheet-<id>` unless given). */
export function readCricsheetFile(path: string, opts: { matchId?: string } = {}): ProviderEvent[] {
  const json = readJsonFile(path);
  try {
    return cricsheetToEvents(json, { matchId: opts.matchId ?? defaultMatchId(path) });
  } catch (err) {
    if (err instanceof CricsheetError) throw new CricsheetError(`${path}: ${err.message}`, err.issues);
    throw err;
  }
}
