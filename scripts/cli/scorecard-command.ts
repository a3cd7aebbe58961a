import { readCricsheetFile } from "../../origin/cricsheet/read-file.ts";
import type { Command } from "./command.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

const usage = "scorecard FILE";

/** Feeds a Cricsheet match through the scoring engine and prints the final scorecard. */
export const scorecardCommand: Command = {
  usage,
  summary: "print the final scorecard of a Cricsheet match, as computed by the engine",
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, { names: ["FILE"], usage });
    const events = readCricsheetFile(positionals[0] as string);
    // Loaded on demand so the other commands never pay for (or depend on) the engine.
    const { replay, scorecard } = await import("../../origin/scoring/index.ts");
    io.stdout(`${JSON.stringify(scorecard(replay(events)), null, 2)}\n`);
    return 0;
  },
};
