/**
 * Upstash's Lua dialect, translated for stock Redis.
 *
 * The story: `@upstash/ratelimit` (2.x) starts every script with `#!lua flags=allow-key-locking`, a
 * flag only Upstash's server knows; stock redis-server refuses the script ("ERR Unexpected flag in
 * script shebang"). The bridge drops shebang flags that Redis does not know before the script reaches
 * Redis. That changes the script's SHA1, and the client calls EVALSHA with the SHA1 of the text it
 * sent, so the bridge remembers which client SHA1 stands for which Redis SHA1 and answers SCRIPT LOAD
 * with the client's.
 */
import { createHash } from "node:crypto";
import type { RedisArgs } from "./wire.ts";

/** The shebang flags stock Redis 7 understands; any other flag is an Upstash extension. */
const REDIS_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);

export type Translated = {
  args: RedisArgs;
  /** Turns Redis's reply back into what Upstash would have answered. */
  reply(reply: unknown): unknown;
};

export class ScriptFlags {
  /** Client SHA1 (of the script as sent) → Redis SHA1 (of the script with its flags translated). */
  private readonly redisSha = new Map<string, string>();

  /** Rewrites EVAL, EVALSHA, SCRIPT LOAD and SCRIPT EXISTS; every other command passes untouched. */
  translate(args: RedisArgs): Translated {
    const [name, ...rest] = args;
    const command = name.toUpperCase();
    const same = (reply: unknown) => reply;
    if ((command === "EVAL" || command === "EVAL_RO") && rest[0] !== undefined) {
      return { args: [name, this.learn(rest[0]).script, ...rest.slice(1)], reply: same };
    }
    if ((command === "EVALSHA" || command === "EVALSHA_RO") && rest[0] !== undefined) {
      return { args: [name, this.sha(rest[0]), ...rest.slice(1)], reply: same };
    }
    if (command === "SCRIPT" && rest[0]?.toUpperCase() === "LOAD" && rest[1] !== undefined) {
      const { script, clientSha } = this.learn(rest[1]);
      return { args: [name, rest[0], script], reply: () => Buffer.from(clientSha) };
    }
    if (command === "SCRIPT" && rest[0]?.toUpperCase() === "EXISTS") {
      return { args: [name, rest[0], ...rest.slice(1).map((sha) => this.sha(sha))], reply: same };
    }
    return { args, reply: same };
  }

  private sha(clientSha: string): string {
    return this.redisSha.get(clientSha.toLowerCase()) ?? clientSha;
  }

  private learn(script: string): { script: string; clientSha: string } {
    const clientSha = sha1(script);
    const translated = withRedisFlags(script);
    if (translated !== script) this.redisSha.set(clientSha, sha1(translated));
    return { script: translated, clientSha };
  }
}

/** `#!lua flags=allow-key-locking,no-writes` → `#!lua flags=no-writes`; `#!lua flags=allow-key-locking` → `#!lua`. */
export function withRedisFlags(script: string): string {
  if (!script.startsWith("#!")) return script;
  const end = script.indexOf("\n");
  const shebang = end === -1 ? script : script.slice(0, end);
  const rewritten = shebang
    .split(" ")
    .flatMap((token) => {
      if (!token.startsWith("flags=")) return [token];
      const kept = token
        .slice("flags=".length)
        .split(",")
        .filter((flag) => REDIS_FLAGS.has(flag));
      return kept.length > 0 ? [`flags=${kept.join(",")}`] : [];
    })
    .join(" ");
  return rewritten === shebang ? script : rewritten + script.slice(shebang.length);
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
