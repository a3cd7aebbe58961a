/**
 * Process-tree helpers for the memory and herd benches: the processes this run started
 * (descendants of this Node process, read from /proc), their resident memory, and a small
 * Crease match fixture. Linux only.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { cricsheetToEvents } from "../../cricsheet/index.ts";
import type { ProviderEvent } from "../../scoring/index.ts";
import { ROOT } from "../../scripts/local-stack.ts";

export interface Proc {
  pid: number;
  name: string;
  cmdline: string;
  rssBytes: number;
}

function readProc(pid: number): Proc | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const name = /^Name:\s*(.+)$/m.exec(status)?.[1] ?? "";
    const rssKb = Number(/^VmRSS:\s*(\d+)\s*kB$/m.exec(status)?.[1] ?? 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    return { pid, name, cmdline, rssBytes: rssKb * 1024 };
  } catch {
    return null; // exited meanwhile
  }
}

/** Every live descendant of `root` (default: this process), with its VmRSS. */
export function descendants(root = process.pid): Proc[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The fields after the last ")" (comm may hold spaces): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone
    }
  }
  const out: Proc[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift() as number;
    const proc = readProc(pid);
    if (proc) out.push(proc);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The pids holding a listening TCP socket on 127.0.0.1:`port` (via /proc/net/tcp and fds). */
export function listenersOn(port: number, among: Proc[]): Set<number> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] ("0100007F:1F90"), st is cols[3] ("0A" = LISTEN), inode cols[9].
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === "0A" && cols[9]) inodes.add(cols[9]);
    }
  }
  const pids = new Set<number>();
  for (const proc of among) {
    try {
      for (const fd of readdirSync(`/proc/${proc.pid}/fd`)) {
        const link = readlinkSync(join(`/proc/${proc.pid}/fd`, fd));
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && inodes.has(inode)) {
          pids.add(proc.pid);
          break;
        }
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** A bundled T20 (IPL 2017) as provider events for a fresh match id. */
export function fixtureEvents(matchId: string): ProviderEvent[] {
  const file = join(ROOT, "fixtures", "cricsheet", "1175359.json");
  return cricsheetToEvents(JSON.parse(readFileSync(file, "utf8")), { matchId });
}

export { sleep } from "../../test/support/time.ts";

export const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
