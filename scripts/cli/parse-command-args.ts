import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./command.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * `node:util` parseArgs in strict mode, with its errors (unknown option, missing value)
 * turned into `UsageError`s, and the positional count checked.
 */
export function parseCommandArgs<O extends Options>(
  args: string[],
  options: O,
  positionals: { names: string[]; usage: string },
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split("\n")[0]} (usage: ${positionals.usage})`);
  }
  if (parsed.positionals.length !== positionals.names.length) {
    const want = positionals.names.join(" ");
    throw new UsageError(
      parsed.positionals.length < positionals.names.length
        ? `missing ${want} (usage: ${positionals.usage})`
        : `unexpected argument ${JSON.stringify(parsed.positionals[positionals.names.length])} (usage: ${positionals.usage})`,
    );
  }
  return parsed;
}
