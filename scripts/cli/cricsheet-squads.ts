import { z } from "zod";

// Only the part of a Cricsheet file the scorecard's "Did not bat" needs; the adapter validated the rest.
const withPlayers = z.object({
  info: z.object({ players: z.record(z.string(), z.array(z.string())) }),
});

/**
 * Each team's players as a Cricsheet file lists them (`info.players`), or undefined when the file
 * has no usable list. The provider events carry only who batted and bowled, not the eleven.
 */
export function cricsheetSquads(json: unknown): Record<string, string[]> | undefined {
  const parsed = withPlayers.safeParse(json);
  return parsed.success ? parsed.data.info.players : undefined;
}
