/** The flags every chaos script shares: `--seed S` (replays a failure) and `--only NAME` (run.ts). */
export interface ChaosArgs {
  seed: number;
  only: string | null;
}

export function parseArgs(argv: string[]): ChaosArgs {
  const value = (flag: string): string | null => {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === flag) return argv[i + 1] ?? null;
      if (arg?.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    }
    return null;
  };
  const seed = Number(value("--seed") ?? Date.now() % 100_000);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, not ${value("--seed")}`);
  return { seed, only: value("--only") };
}
