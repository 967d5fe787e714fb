import { cpuSecondsOf, processSnapshot, processTree } from "../report/process-cpu.js";
import { type MetricsSnapshot, readPrometheus } from "./server-metrics.js";
import type { Target } from "./targets.js";

/** A target's CPU over a measured window, and the requests it is divided by. */
export interface TargetCpu {
  /**
   * metrics: its process_cpu_seconds_total and the named request counter (one process: a scrape
   * of a server with several processes reads whichever answered it); proc: /proc/<pid>/stat of
   * the process and every process below it, divided by the responses the generator counted.
   */
  source: "metrics" | "proc";
  cpuSeconds: number;
  requests: number;
  cpuUsPerRequest: number | null;
}

/** The window's end: its CPU given the responses the generator counted; null: not measured. */
export type TargetCpuEnd = (answered: number) => Promise<TargetCpu | null>;

const measured = (
  source: TargetCpu["source"],
  cpuSeconds: number,
  requests: number,
): TargetCpu => ({
  source,
  cpuSeconds,
  requests,
  cpuUsPerRequest: requests > 0 ? (cpuSeconds * 1e6) / requests : null,
});

/** Every sample of a counter, over all its label sets. */
function counter(snapshot: MetricsSnapshot | null, name: string): number | null {
  if (!snapshot) return null;
  let total: number | null = null;
  for (const [sample, value] of snapshot) {
    if (sample === name || sample.startsWith(`${name}{`)) total = (total ?? 0) + value;
  }
  return total;
}

/**
 * Starts measuring a target's CPU, from its metrics when it names them, else from its local pid;
 * null when it has neither: its CPU is then not measured, never taken as zero.
 */
export async function startTargetCpu(target: Target): Promise<TargetCpuEnd | null> {
  const { metrics, pid } = target;
  if (metrics) {
    const before = await readPrometheus(metrics.url);
    return async () => {
      const after = await readPrometheus(metrics.url);
      const delta = (name: string) => {
        const [start, end] = [counter(before, name), counter(after, name)];
        return start === null || end === null ? null : end - start;
      };
      const cpuSeconds = delta("process_cpu_seconds_total");
      const requests = delta(metrics.requests);
      if (cpuSeconds === null || requests === null) return null;
      return measured("metrics", cpuSeconds, requests);
    };
  }
  if (pid !== null) {
    const before = processSnapshot();
    if (!before.processes.has(pid)) return null;
    return async (answered) => {
      const after = processSnapshot();
      if (!after.processes.has(pid)) return null;
      return measured("proc", cpuSecondsOf(before, after, processTree(after, pid)), answered);
    };
  }
  return null;
}
