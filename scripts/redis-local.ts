// `npm run redis:local [-- --port N] [--redis-port M]`: a local redis-server (port 6380, or M)
// behind the Upstash REST bridge (port 8079, or N), so `npm run dev` can run the Upstash path
// without an Upstash account. Ctrl-C, or SIGINT, SIGTERM or SIGHUP to npm, tsx or this script,
// stops both.
import { parseArgs } from "node:util";
import { start, startRedisServer } from "../test/support/upstash-bridge/index.ts";
import { launcherChain } from "./local-stack.ts";

/** A development-only token; the bridge listens on loopback only. */
const TOKEN = "local-dev-token";

function ports(argv: string[]): { bridge: number; redis: number } {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, "redis-port": { type: "string" } },
  });
  const port = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65_535) {
      console.error(`npm run redis:local: --${name} needs a port number, got ${raw}`);
      process.exit(2);
    }
    return n;
  };
  return { bridge: port("port", values.port, 8079), redis: port("redis-port", values["redis-port"], 6380) };
}

const chosen = ports(process.argv.slice(2));
const redis = await startRedisServer({ port: chosen.redis }).catch((error: Error) => {
  console.error(`could not start redis-server on 127.0.0.1:${chosen.redis}: ${error.message}`);
  process.exit(1);
});
const bridge = await start({ redisUrl: redis.url, token: TOKEN, port: chosen.bridge }).catch(
  async (error: Error) => {
    console.error(`could not start the bridge on 127.0.0.1:${chosen.bridge}: ${error.message}`);
    await redis.stop();
    process.exit(1);
  },
);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  void bridge
    .close()
    .then(() => redis.stop())
    .then(() => process.exit(0));
  // A bridge that hangs on a keep-alive connection must not keep redis-server alive.
  setTimeout(() => void redis.kill().then(() => process.exit(1)), 5000).unref();
}
// SIGHUP too: a closed terminal, or a process manager's stop.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);

// npm forwards only SIGINT and SIGTERM, and tsx relays no SIGHUP: a signal to either can leave
// this script running with nobody to stop it. Watch the launchers (npm, tsx) and stop when one
// is gone, as the local stack's leash does. redis-server itself dies with this process
// (upstash-bridge/redis-server.ts holds it on a pipe), however this process ends.
const launchers = launcherChain().filter((pid) => pid !== process.pid);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};
setInterval(() => {
  if (!launchers.every(alive)) stop();
}, 250).unref();

console.log(`redis-server on ${redis.url}, Upstash REST bridge on ${bridge.url}

UPSTASH_REDIS_REST_URL=${bridge.url}
UPSTASH_REDIS_REST_TOKEN=${TOKEN}

Put those two lines in .dev.vars, then run \`npm run dev\` in another terminal.
Nothing is saved: stopping this (Ctrl-C) stops both and forgets the data.`);
