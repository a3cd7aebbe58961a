import { afterEach, describe, expect, it } from "vitest";
import { portIsFree } from "../../scripts/local-stack.ts";
import { until } from "../support/time.ts";
import {
  findTarget,
  killAll,
  processTree,
  type SignalTarget,
  startRedisLocal,
  stillRunning,
} from "./support/project-copy.ts";

/**
 * `npm run redis:local` starts a redis-server and the Upstash REST bridge. Stopped the way a
 * terminal, a process manager or an IDE stops it (a signal to npm, to tsx or to the script), it
 * must stop both and free both ports, as `npm start` and `npm run dev` do (signals.test.ts).
 */
const STOPPED_WITHIN_MS = 10_000;

const cases: { signal: NodeJS.Signals; target: SignalTarget }[] = [
  { signal: "SIGINT", target: "npm" },
  { signal: "SIGTERM", target: "npm" },
  { signal: "SIGHUP", target: "npm" },
  { signal: "SIGHUP", target: "tsx" },
  { signal: "SIGTERM", target: "script" },
  // No handler runs: the launchers' watch and redis-server's pipe to the script clean up.
  { signal: "SIGKILL", target: "tsx" },
];

describe("signals stop everything npm run redis:local started", () => {
  let started: number[] = [];
  afterEach(() => killAll(started));

  it.each(cases)("$signal to $target", async ({ signal, target }) => {
    const { run, bridgePort, redisPort } = await startRedisLocal();
    const tree = processTree(run.child.pid ?? 0);
    started = tree.map((p) => p.pid);
    expect(
      tree.some((p) => p.args.trim().startsWith("redis-server")),
      `${tree.map((p) => p.args).join("\n")}\n${run.output()}`,
    ).toBe(true);
    const pid = findTarget(tree, target);
    expect(pid, `no ${target} process in\n${tree.map((p) => p.args).join("\n")}`).toBeDefined();

    process.kill(pid ?? 0, signal);
    const stopped = async () =>
      stillRunning(started).length === 0 && (await portIsFree(bridgePort)) && (await portIsFree(redisPort));
    await until(stopped, STOPPED_WITHIN_MS, "everything to stop", () => {
      const left = stillRunning(started);
      return `${tree
        .filter((p) => left.includes(p.pid))
        .map((p) => `${p.pid} ${p.args.slice(0, 120)}`)
        .join("\n")}\n${run.output()}`;
    });
  });
});
