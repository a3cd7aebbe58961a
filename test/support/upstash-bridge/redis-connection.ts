/**
 * The bridge's one connection to redis-server, tuned so that a Redis that is down answers with an
 * error in about a tenth of a second instead of a hang, and comes back on its own.
 */
// The default import (CommonJS `module.exports`) works both under Node's own loader and under
// Vite's, which runs the workerd tier's global setup and does not see ioredis' named exports.
import ioredis from "ioredis";
import type { RedisArgs } from "./wire.ts";

const { Redis, ReplyError } = ioredis as unknown as typeof import("ioredis");

export type RedisConnection = {
  /** Runs one command; rejects with a `ReplyError` for a Redis error, anything else when Redis is unreachable. */
  call(args: RedisArgs): Promise<unknown>;
  /** Runs commands back to back (not atomically); each entry is a reply or a `ReplyError`. */
  pipeline(commands: RedisArgs[]): Promise<unknown[]>;
  /** Runs commands inside MULTI/EXEC; each entry is a reply or a `ReplyError`. */
  transaction(commands: RedisArgs[]): Promise<unknown[]>;
  close(): Promise<void>;
};

/** A Redis error reply (WRONGTYPE, NOSCRIPT, EXECABORT...), as opposed to Redis being unreachable. */
export function isReplyError(error: unknown): error is Error {
  return error instanceof ReplyError;
}

/**
 * ioredis, by default, queues commands while disconnected and retries them for a long time, which
 * from an HTTP caller looks like a hang. Here:
 * - the offline queue stays on, so a command sent while the socket is (re)connecting still runs once
 *   Redis accepts the connection;
 * - `maxRetriesPerRequest: 0` rejects everything queued at the first failed reconnect, and reconnects
 *   are tried every 100 ms, so with Redis down a command fails within about 100 ms;
 * - `autoResendUnfulfilledCommands: false`: a command in flight when the connection dropped is
 *   rejected, never replayed (a replayed INCR would count twice);
 * - `commandTimeout` bounds everything else.
 */
export function connectRedis(redisUrl: string, commandTimeoutMs: number): RedisConnection {
  let lastConnectionError = "";
  const redis = new Redis(redisUrl, {
    protocol: 2, // Upstash replies in RESP2 shapes (flat HGETALL, scores as strings).
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => 100,
    connectTimeout: 1_000,
    commandTimeout: commandTimeoutMs,
  });
  // Without a listener ioredis prints every failed reconnect; keep the cause for the error we return.
  redis.on("error", (error: Error) => {
    lastConnectionError = error.message;
  });
  redis.on("ready", () => {
    lastConnectionError = "";
  });

  const unavailable = (error: unknown): unknown => {
    if (isReplyError(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    // ioredis words "the connection dropped and the command was not replayed" as a retry limit.
    const dropped = error instanceof Error && error.name === "MaxRetriesPerRequestError";
    const cause = lastConnectionError || (dropped ? "connection lost" : message);
    return new Error(`redis unavailable at ${redisUrl}: ${cause}`);
  };

  const settle = (results: [Error | null, unknown][] | null): unknown[] => {
    if (results === null) throw new Error("ERR transaction aborted");
    return results.map(([error, reply]) => {
      if (error && !isReplyError(error)) throw unavailable(error);
      return error ?? reply;
    });
  };

  return {
    async call([name, ...args]) {
      try {
        return await redis.callBuffer(asIs(name), ...args);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async pipeline(commands) {
      const batch = redis.pipeline();
      for (const [name, ...args] of commands) batch.callBuffer(asIs(name), ...args);
      return settle(await batch.exec().catch((error) => Promise.reject(unavailable(error))));
    },
    async transaction(commands) {
      const batch = redis.multi();
      for (const [name, ...args] of commands) batch.callBuffer(asIs(name), ...args);
      try {
        return settle(await batch.exec());
      } catch (error) {
        throw withQueueingErrors(unavailable(error));
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

/**
 * ioredis reshapes some replies by command name (HGETALL into an object, pairs for HRANDFIELD and
 * friends), looking the name up in lower case. Upstash passes Redis's reply through unchanged, so the
 * bridge sends names in upper case, which Redis accepts and ioredis leaves alone.
 */
function asIs(name: string): string {
  return name.toUpperCase();
}

/** EXECABORT alone does not say which command was refused; ioredis keeps the reasons beside it. */
function withQueueingErrors(error: unknown): unknown {
  const previous = (error as { previousErrors?: Error[] }).previousErrors;
  if (!isReplyError(error) || !previous?.length) return error;
  const reasons = previous.map((e) => e.message).join("; ");
  return Object.assign(error, { message: `${error.message} ${reasons}` });
}
