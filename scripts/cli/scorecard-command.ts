import { readCricsheetFile, readJsonFile } from "../../cricsheet/read-file.ts";
import type { Command } from "./command.ts";
import { cricsheetSquads } from "./cricsheet-squads.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { scorecardText } from "./scorecard-text.ts";

const usage = "scorecard FILE [--json]";

/**
 * Feeds a Cricsheet match through the scoring engine and prints the final scorecard: as a
 * cricket site lays it out, or with --json as the engine's `Scorecard` (that shape is a contract).
 */
export const scorecardCommand: Command = {
  usage,
  summary: "print the engine's final scorecard of a Cricsheet match (--json: as JSON)",
  examples: ["scorecard fixtures/cricsheet/1175359.json", "scorecard fixtures/cricsheet/1175359.json --json"],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: "boolean" } },
      { names: ["FILE"], usage },
    );
    const file = positionals[0] as string;
    const events = readCricsheetFile(file);
    // Loaded on demand so the other commands never pay for (or depend on) the engine.
    const { replay, scorecard } = await import("../../scoring/index.ts");
    const state = replay(events);
    if (values.json) {
      io.stdout(`${JSON.stringify(scorecard(state), null, 2)}\n`);
      return 0;
    }
    // Read again for the elevens: the events name only those who batted or bowled. The file
    // just parsed, so this cannot fail in a new way.
    const squads = cricsheetSquads(readJsonFile(file));
    io.stdout(scorecardText(scorecard(state), { match: state.match, squads }));
    return 0;
  },
};
