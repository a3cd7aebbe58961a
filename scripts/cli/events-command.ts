import { readCricsheetFile } from "../../cricsheet/read-file.ts";
import { isValidMatchId } from "../../protocol/provider-events.ts";
import { type Command, UsageError } from "./command.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

const usage = "events FILE [--match-id ID]";

/** Prints a Cricsheet match as the provider events a live feed would have sent: NDJSON, one event a line. */
export const eventsCommand: Command = {
  usage,
  summary: "print a Cricsheet match's provider events as NDJSON",
  examples: ["events fixtures/cricsheet/1175359.json --match-id demo"],
  run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { "match-id": { type: "string" } },
      { names: ["FILE"], usage },
    );
    const matchId = values["match-id"];
    if (matchId !== undefined && !isValidMatchId(matchId)) {
      throw new UsageError(`--match-id ${JSON.stringify(matchId)}: use 1-128 of A-Z a-z 0-9 . _ : -`);
    }
    const events = readCricsheetFile(positionals[0] as string, { matchId });
    io.stdout(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    return 0;
  },
};
