// `npm run redis:local [-- --port N]`: a local redis-server (port 6380) behind the Upstash REST bridge
// (port 8079, or N), so `npm run dev` can run the Upstash path without an Upstash account.
import { start, startRedisServer } from "../test/support/upstash-bridge/index.ts";

const REDIS_PORT = 6380;
/** A development-only token; the bridge listens on loopback only. */
const TOKEN = "local-dev-token";

/** Reads `--port N` (or `--port=N`) from argv; 8079 otherwise. */
function bridgePort(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === "--port" ? argv[i + 1] : arg?.startsWith("--port=") ? arg.slice(7) : undefined;
    if (value === undefined) continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new Error(`--port needs a port number, got ${value}`);
    return port;
  }
  return 8079;
}

const port = bridgePort(process.argv.slice(2));
const redis = await startRedisServer({ port: REDIS_PORT }).catch((error: Error) => {
  console.error(`could not start redis-server on 127.0.0.1:${REDIS_PORT}: ${error.message}`);
  process.exit(1);
});
const bridge = await start({ redisUrl: redis.url, token: TOKEN, port }).catch(async (error: Error) => {
  console.error(`could not start the bridge on 127.0.0.1:${port}: ${error.message}`);
  await redis.stop();
  process.exit(1);
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void bridge
      .close()
      .then(() => redis.stop())
      .then(() => process.exit(0));
  });
}

console.log(`redis-server on ${redis.url}, Upstash REST bridge on ${bridge.url}

UPSTASH_REDIS_REST_URL=${bridge.url}
UPSTASH_REDIS_REST_TOKEN=${TOKEN}

Put those two lines in .dev.vars, then run \`npm run dev\` in another terminal.
Nothing is saved: stopping this (Ctrl-C) stops both and forgets the data.`);
