import { readdirSync, readFileSync } from "node:fs";

/** One process's CPU so far, from /proc/<pid>/stat. */
interface ProcessTicks {
  name: string;
  ppid: number;
  /** User plus system time, in clock ticks. */
  ticks: number;
}

/** Every process's CPU at one moment; empty where there is no /proc (not Linux). */
export interface ProcessSnapshot {
  at: number;
  processes: Map<number, ProcessTicks>;
}

/** Another process and the share of one core it used between two snapshots. */
export interface ProcessLoad {
  pid: number;
  name: string;
  coreShare: number;
}

// USER_HZ: the kernel reports process times in these ticks, 100 per second on every Linux
// architecture Node runs on.
const TICKS_PER_SECOND = 100;

function readStat(pid: number): ProcessTicks | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name sits in parentheses and may itself hold spaces or parentheses.
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    return {
      name: text.slice(open + 1, close),
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null;
  }
}

export function processSnapshot(): ProcessSnapshot {
  const processes = new Map<number, ProcessTicks>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return { at: Date.now(), processes };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) processes.set(Number(entry), stat);
  }
  return { at: Date.now(), processes };
}

/** `root` and every process below it in `snapshot`: the harness and what it started. */
export function processTree(snapshot: ProcessSnapshot, root = process.pid): Set<number> {
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of snapshot.processes) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

/**
 * The CPU each process outside `excluded` used between two snapshots, busiest first; null where
 * processes cannot be read (no /proc).
 */
export function otherProcesses(
  before: ProcessSnapshot,
  after: ProcessSnapshot,
  excluded: (pid: number, name: string) => boolean,
): ProcessLoad[] | null {
  if (after.processes.size === 0) return null;
  const seconds = Math.max(1e-3, (after.at - before.at) / 1000);
  const loads: ProcessLoad[] = [];
  for (const [pid, { name, ticks }] of after.processes) {
    if (excluded(pid, name)) continue;
    const used = ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (used > 0) loads.push({ pid, name, coreShare: used / TICKS_PER_SECOND / seconds });
  }
  return loads.sort((a, b) => b.coreShare - a.coreShare);
}

/**
 * CPU seconds `pids` used between two snapshots. A process that started in between counts from
 * zero; one that ended in between is lost (its last ticks were never read).
 */
export function cpuSecondsOf(
  before: ProcessSnapshot,
  after: ProcessSnapshot,
  pids: Iterable<number>,
): number {
  let ticks = 0;
  for (const pid of pids) {
    const end = after.processes.get(pid)?.ticks;
    if (end !== undefined) ticks += end - (before.processes.get(pid)?.ticks ?? 0);
  }
  return ticks / TICKS_PER_SECOND;
}

/** The services on the request path: their CPU is the benchmark's, not another's. */
const SERVICES = /^(redis-server|postgres|postmaster)$/;

/** What the rest of the machine did during a window: its total and its busiest processes. */
export interface OtherLoad {
  /** CPU of every process outside the benchmark, in cores (1.0: one core busy throughout). */
  coreShare: number;
  busiest: ProcessLoad[];
}

/**
 * Processes neither the harness's own (generator, servers), nor a service on the request path,
 * nor below one of `targets` (the local processes of servers it benchmarks but did not start).
 */
export function otherLoad(
  before: ProcessSnapshot,
  after: ProcessSnapshot,
  targets: readonly number[] = [],
): OtherLoad | null {
  const ours = new Set([process.pid, ...targets].flatMap((root) => [...processTree(after, root)]));
  const others = otherProcesses(before, after, (pid, name) => ours.has(pid) || SERVICES.test(name));
  if (others === null) return null;
  return {
    coreShare: others.reduce((sum, load) => sum + load.coreShare, 0),
    busiest: others.slice(0, 3),
  };
}
