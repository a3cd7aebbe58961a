/**
 * The Upstash REST wire format, both directions: request bodies parsed into Redis argument lists, and
 * Redis replies turned into the JSON that `@upstash/redis` expects back.
 */
import { z } from "zod";

/**
 * `@upstash/redis` sends strings as they are, and numbers and booleans as JSON values (it
 * JSON-stringifies anything else on its side), so a command is a non-empty array of those.
 */
const Argument = z.union([z.string(), z.number(), z.boolean()]);
const Command = z.array(Argument).min(1, "a command needs at least its name");
const Commands = z.array(Command).min(1, "a pipeline needs at least one command");

export type RedisArgs = [name: string, ...args: string[]];

/** What the service answers for one command; an array of these for `/pipeline` and `/multi-exec`. */
export type UpstashEntry = { result: Json } | { error: string };
export type Json = string | number | null | Json[];

/** Parses `POST /`'s body. Returns the error text to send back when the body is not a command. */
export function parseCommand(body: unknown): RedisArgs | string {
  const parsed = Command.safeParse(body);
  return parsed.success ? toArgs(parsed.data) : `ERR invalid command: ${z.prettifyError(parsed.error)}`;
}

/** Parses `POST /pipeline` and `POST /multi-exec` bodies: an array of command arrays. */
export function parseCommands(body: unknown): RedisArgs[] | string {
  const parsed = Commands.safeParse(body);
  return parsed.success ? parsed.data.map(toArgs) : `ERR invalid pipeline: ${z.prettifyError(parsed.error)}`;
}

function toArgs(command: z.infer<typeof Command>): RedisArgs {
  const [name, ...args] = command.map(String);
  return [name ?? "", ...args];
}

/**
 * Turns an ioredis reply (read as Buffers, RESP2) into Upstash's JSON: bulk and status strings
 * become strings, integers numbers, nil null, arrays arrays.
 *
 * With `Upstash-Encoding: base64` (the client's default) every string is base64 except a top-level
 * `OK`: the real service leaves that status plain, and the client special-cases it only at the top
 * level (inside arrays it base64-decodes every string, so there nothing may stay plain).
 */
export function toUpstashJson(reply: unknown, base64: boolean, topLevel = true): Json {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (Buffer.isBuffer(reply)) {
    if (!base64) return reply.toString("utf8");
    return topLevel && reply.equals(OK) ? "OK" : reply.toString("base64");
  }
  if (typeof reply === "string") return toUpstashJson(Buffer.from(reply), base64, topLevel);
  // An error nested in an array (a Lua table holding redis.error_reply) has no JSON shape of its own.
  if (reply instanceof Error) return toUpstashJson(Buffer.from(reply.message), base64, topLevel);
  if (Array.isArray(reply)) return reply.map((item) => toUpstashJson(item, base64, false));
  throw new Error(`the bridge cannot encode a reply of type ${typeof reply}; is the connection RESP2?`);
}

const OK = Buffer.from("OK");
