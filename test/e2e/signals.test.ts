import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, portIsFree } from "../../scripts/local-stack.ts";
import {
  findTarget,
  killAll,
  npm,
  processTree,
  projectCopy,
  type SignalTarget,
  stillRunning,
  waitUntilUp,
} from "./support/project-copy.ts";

/**
 * A process manager or an IDE stops `npm start` by signalling the one process it started (npm),
 * not the whole group as a terminal's Ctrl-C does; a crash kills the script alone. Either way
 * wrangler and workerd, which run in their own process group, must go too and free the port.
 */
const STOPPED_WITHIN_MS = 10_000;

const START = { name: "npm start", command: ["start", "--", "--no-replay"] };
const DEV = { name: "npm run dev", command: ["run", "dev", "--"] };
const cases: { name: string; command: string[]; signal: NodeJS.Signals; target: SignalTarget }[] = [
  { ...START, signal: "SIGTERM", target: "npm" },
  { ...START, signal: "SIGINT", target: "npm" },
  { ...DEV, signal: "SIGHUP", target: "tsx" },
  // No handler runs: the leash in wrangler's process group notices its owner is gone.
  { ...START, signal: "SIGKILL", target: "script" },
];

describe("signals stop everything npm start and npm run dev started", () => {
  let project: ReturnType<typeof projectCopy>;
  let started: number[] = [];

  beforeAll(() => {
    project = projectCopy();
  });
  afterEach(() => killAll(started));
  afterAll(() => project?.remove());

  it.each(cases)("$name: $signal to $target", async ({ command, signal, target }) => {
    const port = await freePort();
    const run = npm(project.dir, [...command, "--port", String(port)]);
    const base = `http://127.0.0.1:${port}`;
    await waitUntilUp(base, run.child, run.output);
    const tree = processTree(run.child.pid ?? 0);
    started = tree.map((p) => p.pid);
    // The whole chain is there: npm, tsx, the script, wrangler and its workerd.
    expect(tree.some((p) => p.args.includes("wrangler-dist/cli.js"))).toBe(true);
    expect(tree.some((p) => p.args.includes("workerd serve"))).toBe(true);
    const pid = findTarget(tree, target);
    expect(pid, `no ${target} process in\n${tree.map((p) => p.args).join("\n")}`).toBeDefined();

    process.kill(pid ?? 0, signal);
    const deadline = Date.now() + STOPPED_WITHIN_MS;
    let left = stillRunning(started);
    while ((left.length > 0 || !(await portIsFree(port))) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = stillRunning(started);
    }
    const survivors = tree.filter((p) => left.includes(p.pid)).map((p) => `${p.pid} ${p.args.slice(0, 120)}`);
    expect(survivors, run.output()).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });
});
