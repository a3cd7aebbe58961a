/** The CLI dispatcher in-process: the command table, and how every kind of failure is reported. */
import { describe, expect, it } from "vitest";
import { CricsheetError } from "../../../cricsheet/index.ts";
import { type Command, InputError, UsageError } from "../../../scripts/cli/command.ts";
import { COMMANDS } from "../../../scripts/cli/commands.ts";
import { runCli } from "../../../scripts/cli/run-cli.ts";

function capture() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
}

const failing = (error: unknown): Command => ({
  usage: "fail",
  summary: "always fails",
  run: () => {
    throw error;
  },
});

describe("runCli", () => {
  it("has the events, scorecard, sign and viewer-token commands", () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(["events", "scorecard", "sign", "viewer-token"]);
  });

  it("runs a command from the table with its arguments", async () => {
    const seen: string[][] = [];
    const echo: Command = {
      usage: "echo ARGS",
      summary: "echo",
      run: (args, io) => {
        io.stdout(args.join(" "));
        seen.push(args);
        return 0;
      },
    };
    const { out, io } = capture();
    expect(await runCli(["echo", "a", "--b"], io, {}, { echo })).toBe(0);
    expect(seen).toEqual([["a", "--b"]]);
    expect(out.stdout).toBe("a --b");
  });

  it("lists every command in the help", async () => {
    const { out, io } = capture();
    expect(await runCli(["--help"], io, {}, { x: failing(null) })).toBe(0);
    expect(out.stdout).toMatch(/^ {2}fail +always fails$/m);
  });

  it("lists the commands' examples after them", async () => {
    const { out, io } = capture();
    const withExample: Command = { ...failing(null), examples: ["x FILE --flag"] };
    expect(await runCli(["help"], io, {}, { x: withExample })).toBe(0);
    expect(out.stdout).toMatch(/\nexamples:\n {2}npm run -s cli -- x FILE --flag\n$/);
  });

  it("maps usage errors to 2, unreadable or bad input to 1, one line each", async () => {
    for (const [error, code, line] of [
      [new UsageError("missing FILE"), 2, "crease: missing FILE\n"],
      [new InputError("cannot read x.json: no such file"), 1, "crease: cannot read x.json: no such file\n"],
      [
        new CricsheetError("x.json: not a Cricsheet match: info: Required"),
        1,
        "crease: x.json: not a Cricsheet match: info: Required\n",
      ],
    ] as const) {
      const { out, io } = capture();
      expect(await runCli(["x"], io, {}, { x: failing(error) })).toBe(code);
      expect(out).toEqual({ stdout: "", stderr: line });
    }
  });

  it("reports an unexpected error in one line without its stack, unless CREASE_DEBUG is set", async () => {
    const boom = new RangeError("boom\nsecond line");
    const quiet = capture();
    expect(await runCli(["x"], quiet.io, {}, { x: failing(boom) })).toBe(1);
    expect(quiet.out.stderr).toBe("crease: x failed: RangeError: boom second line\n");
    const loud = capture();
    await runCli(["x"], loud.io, { CREASE_DEBUG: "1" }, { x: failing(boom) });
    expect(loud.out.stderr).toMatch(/\n\s+at /);
  });

  it("does not treat Object.prototype members as commands", async () => {
    for (const name of ["constructor", "__proto__", "toString"]) {
      const { out, io } = capture();
      expect(await runCli([name], io)).toBe(2);
      expect(out.stderr).toMatch(/unknown command/);
    }
  });
});
