/** `scorecard FILE [--json]` in-process: the JSON is the engine's `Scorecard` byte for byte, the default is text. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCricsheetFile } from "../../../cricsheet/read-file.ts";
import { replay, scorecard } from "../../../scoring/index.ts";
import { runCli } from "../../../scripts/cli/run-cli.ts";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/cricsheet");
const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));

async function run(...argv: string[]) {
  const out = { stdout: "", stderr: "" };
  const code = await runCli(argv, {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
  });
  return { code, ...out };
}

describe("scorecard command", () => {
  it.each(files)("--json prints the engine's scorecard of %s unchanged", async (file) => {
    const path = join(FIXTURES, file);
    const engine = `${JSON.stringify(scorecard(replay(readCricsheetFile(path))), null, 2)}\n`;
    expect(await run("scorecard", path, "--json")).toEqual({ code: 0, stdout: engine, stderr: "" });
    expect(await run("scorecard", "--json", path)).toEqual({ code: 0, stdout: engine, stderr: "" });
  });

  it.each(files)("without --json prints a readable card of %s ending in its result", async (file) => {
    const { code, stdout, stderr } = await run("scorecard", join(FIXTURES, file));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).not.toMatch(/^\s*[{[]/);
    expect(stdout).toMatch(/^Batter +R +B +4s +6s +SR$/m);
    expect(stdout).toMatch(/^Bowler +O +M +R +W +Econ +WD +NB$/m);
    expect(stdout).toMatch(/\nResult: (.* won|Match tied|Match drawn|No result).*\n$/);
  });

  it("--json takes no value", async () => {
    const { code, stderr } = await run("scorecard", join(FIXTURES, files[0] as string), "--json=yes");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^crease: .*--json/);
  });
});
