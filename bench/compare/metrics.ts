import { type RunResult, serverCpuOf } from "../load/index.js";
import { fmtBytes, fmtRate, fmtUs } from "../report/format.js";

export interface Metric {
  /** As the table shows it. */
  label: string;
  better: "higher" | "lower";
  value: (run: RunResult) => number | null | undefined;
  format: (x: number | null | undefined) => string;
}

/** What the gate can compare, by the name --metrics takes. */
export const METRICS = {
  rps: { label: "req/s", better: "higher", value: (run) => run.rps, format: fmtRate },
  p50: { label: "p50", better: "lower", value: (run) => run.latencyUs?.p50, format: fmtUs },
  p90: { label: "p90", better: "lower", value: (run) => run.latencyUs?.p90, format: fmtUs },
  p99: { label: "p99", better: "lower", value: (run) => run.latencyUs?.p99, format: fmtUs },
  p999: { label: "p99.9", better: "lower", value: (run) => run.latencyUs?.p999, format: fmtUs },
  cpu: {
    label: "CPU/req",
    better: "lower",
    value: serverCpuOf,
    format: fmtUs,
  },
  "system-cpu": {
    label: "whole-system CPU/req",
    better: "lower",
    value: (run) => run.system?.cpuUsPerRequest,
    format: fmtUs,
  },
  capacity: {
    label: "capacity at SLO",
    better: "higher",
    value: (run) => run.capacity?.capacity,
    format: fmtRate,
  },
  rss: {
    label: "RSS",
    better: "lower",
    value: (run) => run.server?.rssBytes,
    format: fmtBytes,
  },
} as const satisfies Record<string, Metric>;

export type MetricId = keyof typeof METRICS;
export const METRIC_IDS = Object.keys(METRICS) as MetricId[];
export const DEFAULT_METRICS: readonly MetricId[] = ["rps", "p50", "p99", "cpu"];
