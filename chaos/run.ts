/**
 * `npm run chaos [-- --only NAME] [--seed S]`: the fault-injection scenarios, one after the
 * other, each in its own process (a scenario that kills runtimes or stalls sockets cannot
 * leak into the next). Exits non-zero if any scenario failed; the verdicts come last.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../scripts/local-stack.ts";
import { parseArgs } from "./support/args.ts";

/** Each is `chaos/NAME.ts`, a script that exits non-zero on any loss. */
export const SCENARIOS = [
  "kill9",
  "provider",
  "redis",
  "stalled-client",
  "lost-notification",
  "mistyped-seq",
  "resume-flood",
  "retry-later",
] as const;

const { seed, only } = parseArgs(process.argv.slice(2));
if (only !== null && !(SCENARIOS as readonly string[]).includes(only)) {
  console.error(`unknown scenario "${only}"; one of: ${SCENARIOS.join(", ")}`);
  process.exit(2);
}
const chosen = only === null ? [...SCENARIOS] : [only];
console.log(`chaos: ${chosen.join(", ")} with --seed ${seed}`);

const verdicts: string[] = [];
let failed = 0;
for (const name of chosen) {
  const { code, verdict } = await runOne(name, seed);
  if (code !== 0) failed++;
  verdicts.push(verdict ?? `chaos ${name}: FAIL seed=${seed} exited with ${code} before its verdict`);
}
console.log(
  `\n${verdicts.join("\n")}\nchaos: ${chosen.length - failed}/${chosen.length} passed (seed ${seed})`,
);
process.exit(failed === 0 ? 0 : 1);

function runOne(name: string, seed: number): Promise<{ code: number; verdict: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      join(ROOT, "node_modules", ".bin", "tsx"),
      [join(ROOT, "chaos", `${name}.ts`), "--seed", String(seed)],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let verdict: string | null = null;
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith(`chaos ${name}:`)) verdict = line;
    });
    child.on("exit", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), verdict }));
  });
}
