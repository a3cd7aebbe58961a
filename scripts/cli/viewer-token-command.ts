import { signViewerToken } from "../../edge/viewer-token.ts";
import { isValidMatchId } from "../../protocol/provider-events.ts";
import { type Command, UsageError } from "./command.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

const usage = "viewer-token [--secret S] [--ttl SECONDS] MATCH_ID|PREFIX*";

/** Tokens last an hour unless told otherwise, and never more than a week. */
const DEFAULT_TTL_S = 3600;
const MAX_TTL_S = 7 * 86_400;

/**
 * Mints a viewer token for a private match (or for every match under a prefix ending in `*`),
 * signed with VIEWER_TOKEN_SECRET. Give it to a viewer as `Authorization: Bearer <token>`, the
 * WebSocket subprotocol `crease.token.<token>`, or `?token=` on the SSE route.
 */
export const viewerTokenCommand: Command = {
  usage,
  summary: "mint a viewer token for a private match (or a prefix ending in *)",
  examples: ["viewer-token --secret dev-viewer-token-secret --ttl 600 private-final"],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { secret: { type: "string" }, ttl: { type: "string" } },
      { names: ["MATCH_ID"], usage },
    );
    const scope = positionals[0] as string;
    const id = scope.endsWith("*") ? scope.slice(0, -1) : scope;
    if (!(scope === "*" || isValidMatchId(id)))
      throw new UsageError(
        `"${scope.slice(0, 40)}" is neither a match id nor a prefix ending in * (usage: ${usage})`,
      );
    const secret = values.secret ?? process.env.VIEWER_TOKEN_SECRET;
    if (!secret)
      throw new UsageError(`no secret: pass --secret S or set VIEWER_TOKEN_SECRET (usage: ${usage})`);
    const ttl = values.ttl === undefined ? DEFAULT_TTL_S : Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_S)
      throw new UsageError(
        `--ttl must be whole seconds from 1 to ${MAX_TTL_S}, not ${JSON.stringify(values.ttl)}`,
      );
    io.stdout(`${await signViewerToken(secret, scope, Math.floor(Date.now() / 1000) + ttl)}\n`);
    return 0;
  },
};
