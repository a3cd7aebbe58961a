/**
 * Crease's command line: `npm run -s cli -- <command> [args]`. The commands live in
 * `cli/commands.ts`; this file only wires them to the process.
 */
import { runCli } from "./cli/run-cli.ts";

// Piping into `head` closes stdout early; that is the reader's choice, not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
  { CREASE_DEBUG: process.env.CREASE_DEBUG },
);
