/**
 * The CLI as a real process, `tsx scripts/cli.ts`: two smoke tests that the entry wires argv,
 * stdout, stderr and the exit code to the process. Every case is in cli.test.ts, in process:
 * each `tsx` start costs about a second of a core.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../scripts/cli/run-cli.ts";

const ROOT = join(import.meta.dirname, "../../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const FIXTURE = "fixtures/cricsheet/1175359.json";

function cliProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ["scripts/cli.ts", ...args],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.concurrent("tsx scripts/cli.ts", () => {
  it("exits 0 having written a command's whole output to stdout, the same bytes as in process", async () => {
    let inProcess = "";
    await runCli(["events", join(ROOT, FIXTURE)], { stdout: (t) => (inProcess += t), stderr: () => {} });
    expect(await cliProcess("events", FIXTURE)).toEqual({ code: 0, stdout: inProcess, stderr: "" });
  });

  it("exits with the command's status, here 2 for a usage error, and one line on stderr", async () => {
    expect(await cliProcess("frobnicate")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'crease: unknown command "frobnicate"; run "help" for the list\n',
    });
  });
});
