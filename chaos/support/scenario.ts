import { parseArgs } from "./args.ts";

/** What a scenario found: passed or not, and one line of numbers either way. */
export interface Verdict {
  ok: boolean;
  line: string;
}

/**
 * Runs one chaos scenario as a script: prints `chaos NAME: PASS|FAIL seed=S …` as its last
 * line and exits non-zero on any loss or error. `cleanup` always runs, so nothing it started
 * outlives it; a hard deadline ends a scenario that hangs.
 */
export async function runScenario(
  name: string,
  body: (seed: number, cleanup: (fn: () => unknown) => void) => Promise<Verdict>,
  deadlineMs = 150_000,
): Promise<never> {
  const { seed } = parseArgs(process.argv.slice(2));
  const cleanups: (() => unknown)[] = [];
  const started = performance.now();
  let verdict: Verdict;
  const timer = setTimeout(() => {
    console.log(`chaos ${name}: FAIL seed=${seed} deadline of ${deadlineMs / 1000} s passed`);
    void Promise.allSettled(cleanups.reverse().map((fn) => fn())).finally(() => process.exit(1));
  }, deadlineMs);
  try {
    verdict = await body(seed, (fn) => cleanups.push(fn));
  } catch (error) {
    verdict = { ok: false, line: error instanceof Error ? error.message : String(error) };
  }
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error(`chaos ${name}: cleanup failed:`, error);
    }
  }
  clearTimeout(timer);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`chaos ${name}: ${verdict.ok ? "PASS" : "FAIL"} seed=${seed} ${verdict.line} (${secs} s)`);
  process.exit(verdict.ok ? 0 : 1);
}
