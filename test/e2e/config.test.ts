import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEV_ADMIN, freePort } from "../../scripts/local-stack.ts";
import { killAll, npm, processTree, projectCopy, stillRunning, waitUntilUp } from "./support/project-copy.ts";

/**
 * Local runs read .dev.vars, as `wrangler dev` users expect, and a fresh clone gets it from the
 * example. Each case runs the real command in a copy of the project, so the developer's own
 * .dev.vars is never read or overwritten.
 */
describe("npm start and npm run dev honour .dev.vars", () => {
  let project: ReturnType<typeof projectCopy>;
  let started: number[] = [];

  beforeAll(() => {
    project = projectCopy();
  });
  afterAll(() => project?.remove());

  afterEach(async () => {
    // SIGTERM to npm stops the stack (signals.test.ts shows it); SIGKILL whatever is left after 10 s.
    const deadline = Date.now() + 10_000;
    for (const pid of started.slice(0, 1)) process.kill(pid, "SIGTERM");
    while (stillRunning(started).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    killAll(started);
  });

  /** Runs `npm <args> --port P` in the copy until it answers; returns its address. */
  async function run(args: string[]): Promise<string> {
    const port = await freePort();
    const launched = npm(project.dir, [...args, "--port", String(port)]);
    const base = `http://127.0.0.1:${port}`;
    await waitUntilUp(base, launched.child, launched.output);
    started = processTree(launched.child.pid ?? 0).map((p) => p.pid);
    return base;
  }

  const metrics = (base: string, token: string) =>
    fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it("a fresh copy gets .dev.vars from the example, and its development token works", async () => {
    const devVars = join(project.dir, ".dev.vars");
    expect(existsSync(devVars)).toBe(false);
    const base = await run(["run", "dev", "--"]);
    expect(readFileSync(devVars, "utf8")).toBe(readFileSync(join(project.dir, ".dev.vars.example"), "utf8"));
    expect(await metrics(base, DEV_ADMIN.authorization.slice("Bearer ".length))).toBe(200);
  });

  it("an ADMIN_TOKEN set in .dev.vars is the one the stack accepts", async () => {
    const example = readFileSync(join(project.dir, ".dev.vars.example"), "utf8");
    const custom = example.replace(/^ADMIN_TOKEN=.*$/m, "ADMIN_TOKEN=e2e-custom-admin-token");
    expect(custom).not.toBe(example);
    writeFileSync(join(project.dir, ".dev.vars"), custom);
    const base = await run(["start", "--", "--no-replay"]);
    expect(await metrics(base, "e2e-custom-admin-token")).toBe(200);
    expect(await metrics(base, DEV_ADMIN.authorization.slice("Bearer ".length))).toBe(401);
  });
});
