import { type Comparison, compare, type Summary, summarize } from "../stats/index.js";
import type { LoadMode, LoadResults, ModeSummary, RunResult } from "./schema.js";

/** Throughput CV above this: the runs disagree too much for a ratio to mean anything. */
export const MAX_CV = 0.1;

const summaryOf = (values: number[]): Summary | null =>
  values.length > 0 ? summarize(values) : null;

/**
 * One figure of `mode` and of `baseline`, from the rounds where both runs are valid and have it,
 * in round order: index i of each ran in the same round, which is what lets a ratio cancel drift.
 */
export function pairedByRound(
  runs: readonly RunResult[],
  mode: LoadMode,
  baseline: LoadMode,
  value: (run: RunResult) => number | null | undefined,
): [number[], number[]] {
  const byRound = (m: LoadMode) => {
    const values = new Map<number, number>();
    for (const run of runs) {
      const x = run.mode === m && run.status === "ok" ? value(run) : null;
      if (typeof x === "number" && Number.isFinite(x)) values.set(run.round, x);
    }
    return values;
  };
  const ours = byRound(mode);
  const theirs = byRound(baseline);
  const rounds = [...ours.keys()].filter((round) => theirs.has(round)).sort((a, b) => a - b);
  return [
    rounds.map((round) => ours.get(round) as number),
    rounds.map((round) => theirs.get(round) as number),
  ];
}

function against(
  runs: readonly RunResult[],
  mode: LoadMode,
  baseline: LoadMode,
): Comparison | null {
  if (mode === baseline) return null;
  const [a, b] = pairedByRound(runs, mode, baseline, (run) => run.rps);
  return a.length > 0 && b.every((value) => value > 0) ? compare(a, b) : null;
}

export function summarizeMode(results: LoadResults, mode: LoadMode): ModeSummary {
  const all = results.runs.filter((run) => run.mode === mode);
  const valid = all.filter((run) => run.status === "ok");
  const servers = valid.flatMap((run) => (run.server ? [run.server] : []));
  const latencies = valid.flatMap((run) => (run.latencyUs ? [run.latencyUs] : []));
  const rps = summaryOf(valid.map((run) => run.rps));
  const hitRatios = servers.flatMap((server) =>
    server.hitRatio === null ? [] : [server.hitRatio],
  );
  return {
    mode,
    validRuns: valid.length,
    totalRuns: all.length,
    rps,
    latencyUs:
      latencies.length > 0
        ? {
            p50: summarize(latencies.map((l) => l.p50)),
            p90: summarize(latencies.map((l) => l.p90)),
            p99: summarize(latencies.map((l) => l.p99)),
            p999: summarize(latencies.map((l) => l.p999)),
          }
        : null,
    serverCpuUsPerRequest: summaryOf(servers.map((s) => s.cpuUsPerRequest)),
    rssBytes: summaryOf(servers.map((s) => s.rssBytes)),
    hitRatio: summaryOf(hitRatios),
    storeLookupsPerRequest: summaryOf(servers.map((s) => s.storeLookupsPerRequest)),
    eventLoopDelayP99Ms: summaryOf(servers.map((s) => s.eventLoopDelayP99Ms)),
    generatorCoreShare: summaryOf(valid.map((run) => run.generator.coreShare)),
    vsCeiling: results.options.modes.includes("ceiling")
      ? against(results.runs, mode, "ceiling")
      : null,
    vsNone: results.options.modes.includes("none") ? against(results.runs, mode, "none") : null,
    spreadTooWide: rps !== null && rps.n > 1 && rps.cv > MAX_CV,
    saturatedRuns: valid.filter((run) => run.generator.saturated).length,
  };
}

export function summarizeModes(results: LoadResults): ModeSummary[] {
  const ran = new Set(results.runs.map((run) => run.mode));
  return results.options.modes
    .filter((mode) => ran.has(mode))
    .map((mode) => summarizeMode(results, mode));
}
