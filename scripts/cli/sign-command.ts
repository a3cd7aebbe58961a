import { parseSecrets, SIGNATURE_HEADER, signPayload } from "../../origin/signature.ts";
import { type Command, UsageError } from "./command.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { readInput } from "./read-input.ts";

const usage = "sign [--secret S] [--time UNIX_SECONDS] FILE|-";

/**
 * Signs a webhook body the way a provider must: prints the X-Crease-Signature header value
 * for the exact bytes of FILE (or stdin with "-"). The secret comes from --secret or the
 * first entry of INGEST_SECRET.
 */
export const signCommand: Command = {
  usage,
  summary: `print the ${SIGNATURE_HEADER} header for a webhook body`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { secret: { type: "string" }, time: { type: "string" } },
      { names: ["FILE"], usage },
    );
    const secret = values.secret ?? parseSecrets(process.env.INGEST_SECRET)[0];
    if (!secret) throw new UsageError(`no secret: pass --secret S or set INGEST_SECRET (usage: ${usage})`);
    const time = values.time === undefined ? Math.floor(Date.now() / 1000) : Number(values.time);
    if (!Number.isInteger(time) || time < 0)
      throw new UsageError(`--time must be whole unix seconds, not ${JSON.stringify(values.time)}`);
    const body = readInput(positionals[0] as string);
    io.stdout(`${await signPayload(secret, body, time)}\n`);
    return 0;
  },
};
