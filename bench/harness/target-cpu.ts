import { cpuSecondsOf, processSnapshot, processTree } from "../report/process-cpu.js";
import { parsePrometheus } from "./server-metrics.js";
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

const perRequest = (cpuSeconds: number, requests: number) =>
  requests > 0 ? (cpuSeconds * 1e6) / requests : null;

async function scrape(url: string): Promise<Map<string, number> | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok ? parsePrometheus(await response.text()) : null;
  } catch {
    return null;
  }
}

/** Every sample of a counter, over all its label sets. */
function counter(snapshot: Map<string, number>, name: string): number | null {
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
    const before = await scrape(metrics.url);
    return async () => {
      const after = await scrape(metrics.url);
      const read = (snapshot: Map<string, number> | null, name: string) =>
        snapshot ? counter(snapshot, name) : null;
      const cpu = [
        read(before, "process_cpu_seconds_total"),
        read(after, "process_cpu_seconds_total"),
      ];
      const requests = [read(before, metrics.requests), read(after, metrics.requests)];
      if (cpu.includes(null) || requests.includes(null)) return null;
      const cpuSeconds = (cpu[1] as number) - (cpu[0] as number);
      const answered = (requests[1] as number) - (requests[0] as number);
      return {
        source: "metrics",
        cpuSeconds,
        requests: answered,
        cpuUsPerRequest: perRequest(cpuSeconds, answered),
      };
    };
  }
  if (pid !== null) {
    const before = processSnapshot();
    if (!before.processes.has(pid)) return null;
    return async (answered) => {
      const after = processSnapshot();
      if (!after.processes.has(pid)) return null;
      const cpuSeconds = cpuSecondsOf(before, after, processTree(after, pid));
      return {
        source: "proc",
        cpuSeconds,
        requests: answered,
        cpuUsPerRequest: perRequest(cpuSeconds, answered),
      };
    };
  }
  return null;
}
