import type { Command } from "./command.ts";
import { eventsCommand } from "./events-command.ts";
import { scorecardCommand } from "./scorecard-command.ts";
import { signCommand } from "./sign-command.ts";
import { viewerTokenCommand } from "./viewer-token-command.ts";

/** Every subcommand, by name. A new one is a file next to these and one line here. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  events: eventsCommand,
  scorecard: scorecardCommand,
  sign: signCommand,
  "viewer-token": viewerTokenCommand,
};
