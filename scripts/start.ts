/**
 * `npm start`: the local stack (wrangler dev with local persistence), then a real match replayed
 * into its webhook at a chosen speed, with the page's address and a progress bar. Ctrl-C stops
 * everything it started. Run `npm start -- --help` for the flags.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { ProviderEvent } from "../scoring/index.ts";
import {
  DEV_ADMIN,
  ensureDevVars,
  LocalStack,
  launcherChain,
  PortBusyError,
  portIsFree,
} from "./local-stack.ts";
import { bundledMatchIds, DEFAULT_MATCH, fixtureEvents, type ReplayProgress, replay } from "./replay.ts";

const USAGE = `usage: npm start -- [--match ID] [--speed X] [--matches N] [--port N] [--no-replay] [--fresh]
  --match ID    a bundled Cricsheet match (fixtures/cricsheet/ID.json); default ${DEFAULT_MATCH}
  --speed X     multiple of real time (events are 30 s apart); 0 = as fast as the pipeline takes; default 30
  --matches N   replay N bundled matches at once, each under its own match id; default 1
  --port N      where the stack listens; default 8787
  --no-replay   only start the stack
  --fresh       replay under a new match id instead of resuming the stored one`;

const startedAt = performance.now();

interface Options {
  match: string;
  speed: number;
  matches: number;
  port: number;
  replay: boolean;
  fresh: boolean;
}

/** Parses argv; a bad flag is a one-line error and exit status 2. */
function options(argv: string[]): Options {
  const fail = (message: string): never => {
    console.error(`npm start: ${message} (--help for usage)`);
    process.exit(2);
  };
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    return fail((err as Error).message.split("\n")[0] ?? "bad arguments");
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max)
      return fail(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const ids = bundledMatchIds();
  const match = values.match ?? DEFAULT_MATCH;
  if (!ids.includes(match)) fail(`--match ${match} is not a bundled match; try one of ${ids.join(", ")}`);
  const matches = number("matches", values.matches, 1, 1, ids.length);
  if (!Number.isInteger(matches)) fail("--matches must be a whole number");
  const port = number("port", values.port, 8787, 1, 65535);
  if (!Number.isInteger(port)) fail("--port must be a whole number");
  return {
    match,
    speed: number("speed", values.speed, 30, 0, 100_000),
    matches,
    port,
    replay: !values["no-replay"],
    fresh: values.fresh ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      match: { type: "string" },
      speed: { type: "string" },
      matches: { type: "string" },
      port: { type: "string" },
      "no-replay": { type: "boolean" },
      fresh: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** One line, rewritten in place on a terminal; plain lines every few seconds otherwise. */
class ProgressBar {
  private readonly progress = new Map<string, ReplayProgress & { last: string }>();
  private lastPlainAt = 0;
  private readonly tty = process.stdout.isTTY === true;

  /** Registers every match first, so the first line already counts all of them. */
  expect(matchId: string, total: number): void {
    this.progress.set(matchId, { matchId, done: 0, total, last: "" });
  }

  update(p: ReplayProgress, event: ProviderEvent | undefined): void {
    this.progress.set(p.matchId, { ...p, last: event ? describe(event) : "" });
    const all = [...this.progress.values()];
    const done = all.reduce((n, x) => n + x.done, 0);
    const total = all.reduce((n, x) => n + x.total, 0);
    const width = 24;
    const filled = total ? Math.round((done / total) * width) : 0;
    const where =
      all.length === 1
        ? (all[0]?.last ?? "")
        : `${all.filter((x) => x.done === x.total).length}/${all.length} matches done`;
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} events  ${where}`;
    if (this.tty) process.stdout.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns ?? 100) - 1)}`);
    else if (Date.now() - this.lastPlainAt > 5000 || done === total) {
      this.lastPlainAt = Date.now();
      console.log(line);
    }
  }

  end(): void {
    if (this.tty) process.stdout.write("\n");
  }
}

/** The development token is printed; one the developer chose in .dev.vars is not. */
function adminTokenHint(envFile: string): string {
  const line = readFileSync(envFile, "utf8")
    .split("\n")
    .find((l) => l.startsWith("ADMIN_TOKEN="));
  const token = line?.slice("ADMIN_TOKEN=".length).trim();
  return token === DEV_ADMIN.authorization.slice("Bearer ".length)
    ? `token ${token}`
    : "token: ADMIN_TOKEN in .dev.vars";
}

/** One line and exit status 1: nothing was started. */
function busy(err: PortBusyError): never {
  console.error(`npm start: ${err.message}`);
  process.exit(1);
}

function describe(e: ProviderEvent): string {
  switch (e.type) {
    case "delivery":
      return `innings ${e.payload.innings}, over ${e.payload.over}.${e.payload.ball}`;
    case "innings.start":
      return `${e.payload.battingTeam} start their innings`;
    default:
      return e.type;
  }
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  // Before anything is written or started: a busy port would have our replay feed someone else's stack.
  if (!(await portIsFree(opts.port))) busy(new PortBusyError(opts.port));
  const envFile = ensureDevVars();
  // wrangler logs every request at info level, which would scroll the progress bar away.
  process.env.WRANGLER_LOG ??= "warn";
  const stack = new LocalStack(opts.port, undefined, {
    stdio: "inherit",
    envFile,
    owners: launcherChain(),
  });
  const abort = new AbortController();
  let stopping = false;
  // SIGHUP too (the terminal closed): wrangler runs in its own process group, so nothing else would stop it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      abort.abort(new Error("stopped"));
      console.log("\nstopping the local stack…");
      void stack.stop().then(() => process.exit(0));
    });

  console.log(`starting the local stack on ${stack.base} (wrangler dev; state in .wrangler/state)…`);
  try {
    await stack.start(120_000);
  } catch (err) {
    if (stopping) return; // a signal during startup: the handler above finishes the stop
    if (err instanceof PortBusyError) busy(err); // taken between the check above and the start
    throw err;
  }
  // Its watchdog stopped it (a launcher gone), or it crashed: nothing is left to serve.
  void stack.exited.then((code) => {
    if (stopping) return;
    stopping = true;
    abort.abort(new Error("stopped"));
    console.error(`\nwrangler dev exited (code ${code})`);
    process.exit(1);
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const ids = [opts.match, ...bundledMatchIds().filter((id) => id !== opts.match)].slice(0, opts.matches);
  const run = opts.fresh ? `-r${Date.now().toString(36)}` : "";
  const feeds = ids.map((id) => ({ id, events: fixtureEvents(id, `cricsheet-${id}${run}`) }));
  console.log(
    `Crease is up in ${seconds} s: ${stack.base}/  (operations: ${stack.base}/ops.html, ${adminTokenHint(envFile)})`,
  );
  if (!opts.replay) {
    console.log("no replay (--no-replay); Ctrl-C to stop");
    return;
  }
  for (const f of feeds)
    console.log(`  watch: ${stack.base}/match.html?id=${encodeURIComponent(f.events[0]?.matchId ?? "")}`);
  console.log(
    `replaying ${feeds.length === 1 ? `Cricsheet match ${ids[0]}` : `${feeds.length} matches`} at ${opts.speed === 0 ? "full speed" : `${opts.speed}x`}…`,
  );

  const bar = new ProgressBar();
  for (const f of feeds) bar.expect(f.events[0]?.matchId ?? f.id, f.events.length);
  try {
    const results = await Promise.all(
      feeds.map((f) =>
        replay({
          base: stack.base,
          events: f.events,
          speed: opts.speed,
          signal: abort.signal,
          onProgress: (p) => bar.update(p, f.events[p.done - 1]),
        }),
      ),
    );
    bar.end();
    for (const r of results)
      if (r.sent === 0)
        console.log(
          `${r.matchId} was already fully replayed (all ${r.total} events stored); --fresh replays it again`,
        );
      else if (r.resumedFrom > 0) console.log(`${r.matchId}: resumed after seq ${r.resumedFrom}`);
    console.log("replay finished; Ctrl-C to stop");
  } catch (err) {
    bar.end();
    if (abort.signal.aborted) return;
    console.error(`replay failed: ${(err as Error).message}`);
    console.error("the stack is still up; Ctrl-C to stop");
  }
}

await main();
