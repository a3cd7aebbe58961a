import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort, ROOT } from "../../scripts/local-stack.ts";
import { sleep, until } from "../support/time.ts";
import {
  killAll,
  npm,
  processTree,
  projectCopy,
  startRedisLocal,
  stillRunning,
  waitUntilUp,
} from "./support/project-copy.ts";

type Run = ReturnType<typeof npm>;

/** The inspector port wrangler dev was given, read from its command line. */
function inspectorPortOf(run: Run): number | undefined {
  const wrangler = processTree(run.child.pid ?? 0).find((p) => p.args.includes("wrangler-dist/cli.js"));
  const port = /--inspector-port (\d+)/.exec(wrangler?.args ?? "")?.[1];
  return port ? Number(port) : undefined;
}

/** What a plain client reads when it opens `url`: its close code, or the handshake's error. */
function closeOf(url: string, protocols?: string[]): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      resolve("no close within 5 s");
      ws.terminate();
    }, 5000);
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve(`close ${code}`);
    });
    ws.on("error", (error) => {
      clearTimeout(timer);
      resolve(`error ${error.message}`);
    });
  });
}

/**
 * Two local stacks side by side, each started as the README says, in its own copy of the project:
 * A is `npm run dev` on the Upstash path (`npm run redis:local`, its two lines in .dev.vars), B is
 * `npm start -- --no-replay`. A third `npm start` on A's port is refused before it starts anything.
 */
describe("local stacks", () => {
  const copies = [projectCopy(), projectCopy()];
  const started: number[] = [];
  let redis: Run;
  let a: Run;
  let b: Run;
  let portA: number;
  let portB: number;
  const remember = (run: Run) => started.push(...processTree(run.child.pid ?? 0).map((p) => p.pid));

  beforeAll(async () => {
    ({ run: redis } = await startRedisLocal());
    remember(redis);
    // The README's how-to: the two lines redis:local prints go into .dev.vars.
    const [copyA, copyB] = copies.map((c) => c.dir) as [string, string];
    const lines = redis.output().match(/^UPSTASH_REDIS_REST_(URL|TOKEN)=.*$/gm) ?? [];
    expect(lines).toHaveLength(2);
    const example = readFileSync(join(copyA, ".dev.vars.example"), "utf8").replace(/^UPSTASH_.*\n/gm, "");
    writeFileSync(join(copyA, ".dev.vars"), `${example}${lines.join("\n")}\n`);

    [portA, portB] = [await freePort(), await freePort()];
    a = npm(copyA, ["run", "dev", "--", "--port", String(portA)]);
    b = npm(copyB, ["start", "--", "--no-replay", "--port", String(portB)]);
    await Promise.all([
      waitUntilUp(`http://127.0.0.1:${portA}`, a.child, a.output),
      waitUntilUp(`http://127.0.0.1:${portB}`, b.child, b.output),
    ]);
    remember(a);
    remember(b);
  }, 180_000);

  afterAll(async () => {
    for (const run of [a, b, redis]) if (run?.child.pid) process.kill(-run.child.pid, "SIGINT");
    await until(() => stillRunning(started).length === 0, 15_000, "the stacks to stop").catch(() =>
      killAll(started),
    );
    for (const copy of copies) copy.remove();
  });

  it("run side by side, each with its own inspector port, and A on Upstash without a stale-types warning", async () => {
    const [inspectorA, inspectorB] = [inspectorPortOf(a), inspectorPortOf(b)];
    expect(inspectorA).toBeDefined();
    expect(inspectorB).toBeDefined();
    expect(inspectorA).not.toBe(inspectorB);
    expect(inspectorA).not.toBe(9229);
    for (const port of [inspectorA, inspectorB]) {
      const targets = await fetch(`http://127.0.0.1:${port}/json`);
      expect(targets.ok).toBe(true);
    }
    const health = async (port: number) =>
      ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { fastRead: { mode: string } })
        .fastRead.mode;
    expect(await health(portA)).toBe("upstash");
    expect(await health(portB)).toBe("embedded");
    expect(a.output()).not.toContain("types might be out of date");
    expect(b.output()).not.toContain("types might be out of date");
  });

  it("npm start on a busy port exits at once with one line and touches nothing", async () => {
    const copy = projectCopy();
    try {
      const startedAt = Date.now();
      const run = npm(copy.dir, ["start", "--", "--port", String(portA)]);
      const code = await new Promise<number | null>((resolve) => run.child.once("exit", resolve));
      const took = Date.now() - startedAt;
      const said = run
        .output()
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.startsWith(">"));
      expect(code, run.output()).toBe(1);
      expect(said, run.output()).toEqual([
        `npm start: port ${portA} is already in use (another Crease stack or some other server); stop it or choose another port with --port`,
      ]);
      expect(took).toBeLessThan(10_000);
      // Nothing written in the new copy, nothing replayed into the stack that held the port.
      const made = (await promisify(execFile)("ls", ["-A", copy.dir])).stdout.split("\n");
      expect(made).not.toContain(".dev.vars");
      expect(made).not.toContain(".wrangler");
      const listed = (await (await fetch(`http://127.0.0.1:${portA}/v1/matches`)).json()) as {
        matches?: unknown[];
      };
      expect(JSON.stringify(listed)).not.toContain("cricsheet-");
    } finally {
      copy.remove();
    }
  });

  it("a plain WebSocket to an unknown match reads 4004, and refusals log nothing at error level", async () => {
    for (const port of [portA, portB]) {
      const url = `ws://127.0.0.1:${port}/v1/matches/no-such-match/ws`;
      expect(await closeOf(url)).toBe("close 4004");
      expect(await closeOf(url, ["crease.v1"])).toBe("close 4004");
    }
    // The runtime reports an uncaught error a moment after the close, if at all.
    await sleep(1000);
    for (const run of [a, b]) {
      expect(run.output()).not.toMatch(/\[ERROR\]|Uncaught|Network connection lost/);
    }
  });

  it("npm run smoke checks a stack end to end: health, a signed event, a socket receiving the next", async () => {
    const { stdout } = await promisify(execFile)(
      "npm",
      ["run", "-s", "smoke", "--", `http://127.0.0.1:${portB}`],
      {
        cwd: ROOT,
        env: { ...process.env, ADMIN_TOKEN: "dev-admin-token" },
      },
    );
    expect(stdout).toContain("ok    health");
    expect(stdout).toContain("ok    signed event");
    expect(stdout).toContain("ok    socket receives the next signed event: patch 2");
    expect(stdout).toContain("ok    remove the smoke match");
    expect(stdout).toContain("smoke check passed");
  });
});
