/** What every CLI subcommand looks like, so `commands.ts` can list them in one table. */

/** Where a command writes; a seam so tests can run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Command {
  /** How to call it, e.g. `events FILE [--match-id ID]`. */
  usage: string;
  /** One line for the help listing. */
  summary: string;
  /** Whole command lines for the help's examples, arguments only (after `npm run -s cli --`). */
  examples?: readonly string[];
  /** Runs the command and returns the exit code; throws `UsageError`, `InputError` or `CricsheetError` for bad input. */
  run: (args: string[], io: CliIo) => number | Promise<number>;
}

/** The command line itself is wrong (missing argument, unknown flag): exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command line is fine but its input is not (a file that cannot be read): exit code 1, like a bad match file. */
export class InputError extends Error {
  override readonly name = "InputError";
}
