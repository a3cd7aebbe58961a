/**
 * What a server process costs, as the kernel counts it: CPU seconds (user + system, every
 * thread) and the time its threads were runnable but waiting for a core. Wall-clock ratios on
 * two shared cores move by ±30 %; CPU per operation moves far less, and the wait shows how busy
 * the machine was. Linux only (/proc).
 *
 * - CPU: fields 14 and 15 (utime, stime) of /proc/PID/stat, in clock ticks (10 ms). The kernel
 *   sums them over all of the process's threads, including threads that have exited;
 *   /proc/PID/task/TID/stat gives each live thread's share (`threads`, to see which one is hot).
 * - Wait: the second field of /proc/PID/task/TID/schedstat (ns spent on a run queue), summed over
 *   the live threads. A thread that exited takes its wait with it; workerd's and Node's threads
 *   live as long as the process.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ, the unit of utime and stime: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface CpuReading {
  /** User + system CPU seconds, all threads. */
  cpuSeconds: number;
  /** Seconds runnable but not running (waiting for a core), all live threads. */
  waitSeconds: number;
  /** Per live thread (by its name), user + system seconds. */
  threads: Record<string, number>;
}

/** The fields after the command name's closing parenthesis (the name may hold spaces). */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

function readOne(pid: number): CpuReading | null {
  try {
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, "utf8"));
    // utime and stime are fields 14 and 15 of stat; after the name, fields start at 3 (state).
    const cpuTicks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
    let waitNs = 0;
    const threads: Record<string, number> = {};
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        waitNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1] ?? 0);
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const f = statFields(stat);
        threads[name] = (threads[name] ?? 0) + (Number(f[14 - 3]) + Number(f[15 - 3])) / TICKS_PER_SECOND;
      } catch {
        // the thread exited meanwhile
      }
    }
    return { cpuSeconds: cpuTicks / TICKS_PER_SECOND, waitSeconds: waitNs / 1e9, threads };
  } catch {
    return null; // the process is gone
  }
}

/** The sum over `pids` now (a process that is gone counts nothing). */
export function readCpu(pids: readonly number[]): CpuReading {
  const total: CpuReading = { cpuSeconds: 0, waitSeconds: 0, threads: {} };
  for (const pid of pids) {
    const r = readOne(pid);
    if (!r) continue;
    total.cpuSeconds += r.cpuSeconds;
    total.waitSeconds += r.waitSeconds;
    for (const [name, s] of Object.entries(r.threads)) total.threads[name] = (total.threads[name] ?? 0) + s;
  }
  return total;
}

/** `after` minus `before`, rounded to the millisecond. */
export function cpuBetween(before: CpuReading, after: CpuReading): CpuReading {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const threads: Record<string, number> = {};
  for (const [name, s] of Object.entries(after.threads)) {
    const d = r3(s - (before.threads[name] ?? 0));
    if (d > 0) threads[name] = d;
  }
  return {
    cpuSeconds: r3(after.cpuSeconds - before.cpuSeconds),
    waitSeconds: r3(after.waitSeconds - before.waitSeconds),
    threads,
  };
}
