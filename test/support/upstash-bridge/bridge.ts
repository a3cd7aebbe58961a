/**
 * An HTTP server that speaks the Upstash REST protocol, as `@upstash/redis` uses it, in front of a
 * real redis-server: `POST /` (one command), `POST /pipeline`, `POST /multi-exec`, a bearer token and
 * `Upstash-Encoding: base64`. Commands pass through unchanged, so EVAL, EVALSHA and SCRIPT LOAD work.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sleep } from "../time.ts";
import { connectRedis, isReplyError, type RedisConnection } from "./redis-connection.ts";
import { ScriptFlags } from "./script-flags.ts";
import { type Json, parseCommand, parseCommands, toUpstashJson, type UpstashEntry } from "./wire.ts";

export type BridgeOptions = {
  /** Where redis-server listens, e.g. `redis://127.0.0.1:6380`. */
  redisUrl: string;
  /** The bearer token clients must send (`UPSTASH_REDIS_REST_TOKEN`). */
  token: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only: the bridge is test and local-development support, never a service. */
  host?: "127.0.0.1" | "localhost" | "::1";
  /** Latency added before every request is handled, to play a slow Redis. */
  delayMs?: number;
  /** The longest a command may take before the bridge answers 500; 1 s by default. */
  commandTimeoutMs?: number;
};

export type Bridge = {
  /** `UPSTASH_REDIS_REST_URL`: `http://127.0.0.1:<port>`. */
  url: string;
  token: string;
  port: number;
  /** Changes the latency added to every request from now on (0 removes it). */
  setDelay(ms: number): void;
  close(): Promise<void>;
};

/** Largest body accepted; Crease's pipelines are a few kilobytes. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Starts the bridge. It answers even while Redis is down: 500 with `{"error"}`, quickly. */
export async function start(options: BridgeOptions): Promise<Bridge> {
  const host = options.host ?? "127.0.0.1";
  let delayMs = options.delayMs ?? 0;
  const redis = connectRedis(options.redisUrl, options.commandTimeoutMs ?? 1_000);
  const scripts = new ScriptFlags();
  const expected = Buffer.from(`Bearer ${options.token}`);

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, { error: `ERR bridge: ${error instanceof Error ? error.message : String(error)}` });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (delayMs > 0) await sleep(delayMs);
    if (!authorized(request.headers.authorization, expected)) {
      return send(response, 401, { error: "Unauthorized" });
    }
    if (request.method !== "POST") {
      return send(response, 405, { error: "ERR the bridge only takes POST with a JSON body" });
    }
    if (body === undefined) return send(response, 413, { error: "ERR request body too large" });
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      return send(response, 400, { error: "ERR failed to parse the request body as JSON" });
    }
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = new URL(request.url ?? "/", "http://bridge").pathname.replace(/\/+$/, "") || "/";
    switch (path) {
      case "/":
        return runOne(response, redis, scripts, json, base64);
      case "/pipeline":
        return runMany(response, redis, scripts, json, base64, "pipeline");
      case "/multi-exec":
        return runMany(response, redis, scripts, json, base64, "transaction");
      default:
        return send(response, 404, { error: `ERR the bridge has no endpoint ${path}` });
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await redis.close(); // Otherwise ioredis keeps reconnecting for a bridge that never started.
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "::1" ? "[::1]" : host;

  return {
    url: `http://${urlHost}:${port}`,
    token: options.token,
    port,
    setDelay(ms) {
      delayMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.close();
    },
  };
}

async function runOne(
  response: ServerResponse,
  redis: RedisConnection,
  scripts: ScriptFlags,
  json: unknown,
  base64: boolean,
) {
  const args = parseCommand(json);
  if (typeof args === "string") return send(response, 400, { error: args });
  const refused = refuse(args[0]);
  if (refused) return send(response, 400, { error: refused });
  const command = scripts.translate(args);
  try {
    return send(response, 200, {
      result: toUpstashJson(command.reply(await redis.call(command.args)), base64),
    });
  } catch (error) {
    return sendFailure(response, error);
  }
}

async function runMany(
  response: ServerResponse,
  redis: RedisConnection,
  scripts: ScriptFlags,
  json: unknown,
  base64: boolean,
  mode: "pipeline" | "transaction",
) {
  const parsed = parseCommands(json);
  if (typeof parsed === "string") return send(response, 400, { error: parsed });
  const refused = parsed.map(([name]) => refuse(name)).find((reason) => reason !== undefined);
  if (refused) return send(response, 400, { error: refused });
  const commands = parsed.map((args) => scripts.translate(args));
  const args = commands.map((command) => command.args);
  try {
    const replies = await (mode === "pipeline" ? redis.pipeline(args) : redis.transaction(args));
    const entries: UpstashEntry[] = replies.map((reply, i) =>
      isReplyError(reply)
        ? { error: reply.message }
        : { result: toUpstashJson(commands[i]?.reply(reply) ?? reply, base64) },
    );
    return send(response, 200, entries);
  } catch (error) {
    return sendFailure(response, error);
  }
}

/**
 * Commands that would change the state of the bridge's one shared connection (or hold it), which
 * Upstash does not offer over REST either.
 */
const CONNECTION_COMMANDS = new Set([
  "AUTH",
  "BLMOVE",
  "BLMPOP",
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BZMPOP",
  "BZPOPMAX",
  "BZPOPMIN",
  "CLIENT",
  "DISCARD",
  "EXEC",
  "HELLO",
  "MONITOR",
  "MULTI",
  "PSUBSCRIBE",
  "QUIT",
  "RESET",
  "SELECT",
  "SSUBSCRIBE",
  "SUBSCRIBE",
  "SYNC",
  "UNWATCH",
  "WAIT",
  "WATCH",
]);

function refuse(name: string): string | undefined {
  const upper = name.toUpperCase();
  return CONNECTION_COMMANDS.has(upper) ? `ERR the bridge does not support ${upper}` : undefined;
}

/** A Redis error is the caller's (400); anything else means Redis could not be reached (500). */
function sendFailure(response: ServerResponse, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  send(response, isReplyError(error) ? 400 : 500, { error: message });
}

function send(
  response: ServerResponse,
  status: number,
  body: { result: Json } | { error: string } | UpstashEntry[],
) {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The whole body, or undefined past MAX_BODY_BYTES (the rest is drained so the answer still arrives). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}
