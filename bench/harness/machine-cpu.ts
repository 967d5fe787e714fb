import { readFileSync } from "node:fs";
import { cpus } from "node:os";

export interface CpuTimes {
  busy: number;
  total: number;
}

/** Whole-machine CPU counters; /proc/stat where there is one, os.cpus() elsewhere. */
export function machineCpu(): CpuTimes {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    const times = cpus().map((cpu) => cpu.times);
    const total = times.reduce((sum, t) => sum + t.user + t.nice + t.sys + t.idle + t.irq, 0);
    const idle = times.reduce((sum, t) => sum + t.idle, 0);
    return { busy: total - idle, total };
  }
}

/** Share of all cores that were busy between two readings (0 to 1). */
export const busyShare = (before: CpuTimes, after: CpuTimes): number | null => {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : null;
};
