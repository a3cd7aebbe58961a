import { readFileSync } from "node:fs";
import { InputError } from "./command.ts";

/**
 * The bytes of FILE, or of stdin for "-". A file that cannot be read is an `InputError` worded
 * as `events` and `scorecard` word it ("cannot read x.json: no such file"), so every command
 * reports a missing file the same way.
 */
export function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file === "-" ? 0 : file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "unreadable");
    throw new InputError(`cannot read ${file === "-" ? "stdin" : file}: ${why}`);
  }
}
