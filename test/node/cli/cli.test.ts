/**
 * The CLI's commands as a user runs them, in process: argv in, stdout, stderr and the exit code
 * out, through the same `runCli` that `scripts/cli.ts` wires to the process (cli-process.test.ts
 * checks that wiring through a real `tsx`).
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readCricsheetFile } from "../../../cricsheet/read-file.ts";
import { parseProviderEvent } from "../../../protocol/provider-events.ts";
import { replay, scorecard } from "../../../scoring/index.ts";
import { runCli } from "../../../scripts/cli/run-cli.ts";

const ROOT = join(import.meta.dirname, "../../..");
/** Relative to the repository's root, as a user there types it: the error lines quote paths as given. */
const FIXTURE = "fixtures/cricsheet/1175359.json";

// The commands resolve paths against the working directory; run them from the root whatever
// directory vitest was started in, and give the directory back to the rest of the worker after.
const startedIn = process.cwd();
beforeAll(() => process.chdir(ROOT));
afterAll(() => process.chdir(startedIn));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One CLI invocation, with the process's environment as `scripts/cli.ts` passes it (no CREASE_DEBUG). */
async function cli(...argv: string[]): Promise<Run> {
  const out = { stdout: "", stderr: "" };
  const code = await runCli(argv, {
    stdout: (text) => (out.stdout += text),
    stderr: (text) => (out.stderr += text),
  });
  return { code, ...out };
}

/** A failure is one `crease: ...` line on stderr naming the problem, nothing on stdout, and no stack. */
function expectOneLineError(run: Run, code: number, names: RegExp) {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^crease: /);
  expect(lines[0]).toMatch(names);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

const tmp = mkdtempSync(join(tmpdir(), "crease-cli-"));
const notJson = join(tmp, "not-json.json");
writeFileSync(notJson, "{ this is not json");
const notMatch = join(tmp, "not-a-match.json");
writeFileSync(notMatch, JSON.stringify({ meta: {}, info: { teams: ["A"] } }));

describe("crease CLI", () => {
  it("events FILE prints NDJSON: seq 1..N, each line a valid provider event", async () => {
    const run = await cli("events", FIXTURE);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout.endsWith("\n")).toBe(true);
    const lines = run.stdout.trimEnd().split("\n");
    const events = lines.map((line) => {
      const parsed = parseProviderEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(`${line.slice(0, 80)}: ${JSON.stringify(parsed.issues)}`);
      return parsed.event;
    });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e.matchId === "cricsheet-1175359")).toBe(true);
    expect(events[0]?.type).toBe("match.start");
    expect(events.at(-1)?.type).toBe("match.end");
  });

  it("events FILE --match-id ID uses the id", async () => {
    const run = await cli("events", FIXTURE, "--match-id", "ipl-2019-4");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.split("\n")[0] as string).matchId).toBe("ipl-2019-4");
  });

  it("scorecard FILE prints a readable card: innings, totals, a batter, a bowler, the result", async () => {
    const run = await cli("scorecard", FIXTURE);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Kings XI Punjab innings \(20 overs maximum\)$/m);
    expect(run.stdout).toMatch(/^Total +184\/4 \(20 Ov, RR 9\.20\)$/m);
    expect(run.stdout).toMatch(/^CH Gayle +c RA Tripathi b BA Stokes +79 +47 +8 +4 +168\.09$/m);
    expect(run.stdout).toMatch(/^Did not bat: SM Curran, R Ashwin, /m);
    expect(run.stdout).toMatch(/^BA Stokes +4 +0 +48 +2 +12\.00 +3 +0$/m);
    expect(run.stdout.endsWith("\nResult: Kings XI Punjab won by 14 runs\n")).toBe(true);
    expect(run.stdout.includes("\u001b")).toBe(false);
  });

  it("scorecard FILE --json prints the engine's final scorecard, byte for byte", async () => {
    const run = await cli("scorecard", FIXTURE, "--json");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const engine = scorecard(replay(readCricsheetFile(join(ROOT, FIXTURE))));
    expect(run.stdout).toBe(`${JSON.stringify(engine, null, 2)}\n`);
    const card = JSON.parse(run.stdout);
    expect(card).toMatchObject({
      matchId: "cricsheet-1175359",
      teams: ["Kings XI Punjab", "Rajasthan Royals"],
      format: "T20",
      result: { kind: "win", winner: "Kings XI Punjab", by: { runs: 14 } },
    });
    expect(
      card.innings.map((i: { team: string; runs: number; wickets: number }) => [i.team, i.runs, i.wickets]),
    ).toEqual([
      ["Kings XI Punjab", 184, 4],
      ["Rajasthan Royals", 170, 9],
    ]);
  });

  it("help and no arguments print usage listing the commands", async () => {
    for (const run of [await cli(), await cli("help")]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/usage:/);
      expect(run.stdout).toMatch(/events FILE/);
      expect(run.stdout).toMatch(/scorecard FILE \[--json\]/);
      expect(run.stdout).toMatch(/sign \[--secret S\]/);
      expect(run.stdout).toMatch(
        /^ {2}npm run -s cli -- scorecard fixtures\/cricsheet\/1175359\.json --json$/m,
      );
    }
  });

  it("a missing file", async () => {
    expectOneLineError(await cli("events", "no/such/file.json"), 1, /no\/such\/file\.json: no such file/);
    expectOneLineError(await cli("scorecard", "no/such/file.json"), 1, /no such file/);
  });

  it("a directory", async () => {
    expectOneLineError(await cli("events", "fixtures"), 1, /fixtures: is a directory/);
  });

  it("a file that is not JSON", async () => {
    expectOneLineError(await cli("events", notJson), 1, /not-json\.json is not JSON/);
  });

  it("JSON that is not a Cricsheet match", async () => {
    expectOneLineError(await cli("scorecard", notMatch), 1, /not a Cricsheet match: info\.teams/);
  });

  it("an unknown command", async () => {
    expectOneLineError(await cli("frobnicate"), 2, /unknown command "frobnicate"/);
  });

  it("usage errors: no FILE, an extra argument, an unknown flag, a bad --match-id", async () => {
    expectOneLineError(await cli("events"), 2, /missing FILE/);
    expectOneLineError(await cli("events", FIXTURE, "extra"), 2, /unexpected argument "extra"/);
    expectOneLineError(await cli("events", FIXTURE, "--bogus"), 2, /--bogus/);
    expectOneLineError(await cli("events", FIXTURE, "--match-id", "has space"), 2, /--match-id "has space"/);
  });
});

describe("cli sign", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("prints the header a provider sends, matching an HMAC computed independently", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crease-sign-"));
    const file = join(dir, "body.json");
    writeFileSync(file, '{"events":[]}\n');
    const run = await cli("sign", "--secret", "s3cret", "--time", "1700000000", file);
    expect(run.code).toBe(0);
    const expected = createHmac("sha256", "s3cret").update('1700000000.{"events":[]}\n').digest("hex");
    expect(run.stdout).toBe(`t=1700000000,v1=${expected}\n`);
  });

  it("reports a missing file or a directory as events and scorecard do: one line, status 1", async () => {
    expectOneLineError(
      await cli("sign", "--secret", "s", "no/such/file.json"),
      1,
      /^crease: cannot read no\/such\/file\.json: no such file$/,
    );
    expectOneLineError(
      await cli("sign", "--secret", "s", "fixtures"),
      1,
      /cannot read fixtures: is a directory/,
    );
  });

  it("names a missing secret as a usage error", async () => {
    // Without --secret, sign falls back to INGEST_SECRET; a developer's shell may export one.
    vi.stubEnv("INGEST_SECRET", undefined);
    expectOneLineError(await cli("sign", FIXTURE), 2, /secret/);
  });
});
