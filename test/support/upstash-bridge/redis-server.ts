/**
 * A throwaway redis-server (the Debian package) on loopback: no persistence, a free or given port,
 * gone when the test run ends, and restartable on the same port to play an outage.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer } from "node:net";

export type RedisServer = {
  /** `redis://127.0.0.1:<port>`, for the bridge. */
  url: string;
  port: number;
  /** A clean stop (SIGTERM: redis-server shuts down without saving, as `--save ""` asks). */
  stop(): Promise<void>;
  /** A crash (SIGKILL). */
  kill(): Promise<void>;
};

export type RedisServerOptions = {
  /** 0 (the default) picks a free port; pass a previous server's port to restart "the same" Redis. */
  port?: number;
  /** How long to wait for PING to answer; 10 s by default. */
  readyTimeoutMs?: number;
};

export const REDIS_SERVER_MISSING =
  "redis-server is not on PATH. Install the Debian package: apt-get install -y redis-server";

/** Starts redis-server and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  // A free port found by listening can be taken again before redis-server binds it; try a few.
  const attempts = options.port ? 1 : 3;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port || (await freePort());
    try {
      return await launch(port, options.readyTimeoutMs ?? 10_000);
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message === REDIS_SERVER_MISSING) throw error;
    }
  }
  throw lastError;
}

async function launch(port: number, readyTimeoutMs: number): Promise<RedisServer> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString("utf8"));
    if (output.length > 50) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // Whoever started it decides how long this process lives (stop() in an afterAll, Ctrl-C).
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref(): void }).unref();
  // Not events.once: it would reject on a spawn error, which `failed` reports instead.
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("exit", (code, signal) => resolve([code, signal])),
  );
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(REDIS_SERVER_MISSING) : error),
    );
    exited.then(([code, signal]) =>
      reject(
        new Error(`redis-server exited (${signal ?? code}) on port ${port}:\n${output.join("").trim()}`),
      ),
    );
  });
  failed.catch(() => {}); // Observed by the race below; after startup an exit is expected (stop/kill).

  try {
    await Promise.race([failed, waitForPong(port, readyTimeoutMs)]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  running.add(child);
  const watchdog = killWhenWeDie(child);

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // Keep this process alive until the exit is seen, even if nothing else would.
      child.kill(signal);
      await exited;
    }
    running.delete(child);
    watchdog.kill("SIGKILL");
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

/** Polls with a raw PING until redis-server answers +PONG (it refuses connections while loading). */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no free loopback port");
  return address.port;
}

/** Servers still running, killed when this process exits normally (an afterAll that never ran). */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * An exit handler does not run when this process is itself killed (a vitest worker torn down, a
 * Ctrl-\). So a tiny shell holds a pipe from us: when our end closes, however we died, its `read`
 * returns and it kills redis-server. Unref'd, so it never keeps this process alive.
 */
function killWhenWeDie(child: ChildProcess): ChildProcess {
  // `read` is a shell builtin, so killing the shell on a clean stop leaves nothing behind.
  const watchdog = spawn("sh", ["-c", `read _; kill -9 ${child.pid} 2>/dev/null`], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
