import { CricsheetError } from "../../cricsheet/cricsheet-error.ts";
import { type CliIo, type Command, InputError, UsageError } from "./command.ts";
import { COMMANDS } from "./commands.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function usageText(commands: Readonly<Record<string, Command>> = COMMANDS): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  const examples = Object.values(commands).flatMap((c) => c.examples ?? []);
  return [
    "usage: npm run -s cli -- <command> [args]",
    "",
    "commands:",
    ...lines,
    `  ${"help".padEnd(width)}  show this help`,
    ...(examples.length > 0 ? ["", "examples:", ...examples.map((e) => `  npm run -s cli -- ${e}`)] : []),
    "",
  ].join("\n");
}

/**
 * Runs one CLI invocation and returns its exit code. Every failure becomes a single
 * `crease: ...` line on stderr, never a stack trace: 1 when the input is bad, 2 when
 * the command line is. Set CREASE_DEBUG=1 to see the stack of an unexpected error.
 */
export async function runCli(
  argv: string[],
  io: CliIo,
  env: { CREASE_DEBUG?: string | undefined } = {},
  commands: Readonly<Record<string, Command>> = COMMANDS,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout(usageText(commands));
    return EXIT_OK;
  }
  // hasOwn, so "constructor" or "__proto__" is an unknown command rather than Object.prototype's.
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr(`crease: unknown command ${JSON.stringify(name)}; run "help" for the list\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`crease: ${oneLine(err.message)}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof CricsheetError || err instanceof InputError) {
      io.stderr(`crease: ${oneLine(err.message)}\n`);
      return EXIT_FAILURE;
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    io.stderr(`crease: ${name} failed: ${oneLine(message)}\n`);
    if (env.CREASE_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return EXIT_FAILURE;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
