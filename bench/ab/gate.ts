import {
  type GateOptions,
  type GateResult,
  judged,
  type MetricChange,
  outcomeOf,
  overTheFamily,
  type ResultsSide,
} from "../compare/compare-results.js";
import { METRICS, type MetricId } from "../compare/metrics.js";
import {
  busyMachine,
  isShipped,
  type LoadMode,
  type LoadResults,
  pairedByRound,
  type RunResult,
  type VersionName,
} from "../load/index.js";
import { fmtP } from "../report/format.js";
import { compare, smallestSignedRankP, summaryOf } from "../stats/index.js";

const ofVersion = (version: VersionName) => (run: RunResult) =>
  isShipped(run) && run.version === version;

/** Every valid run's figure of one mode and version: what the base and candidate columns show. */
function valuesOf(load: LoadResults, mode: LoadMode, version: VersionName, metric: MetricId) {
  return load.runs.flatMap((run) => {
    if (run.mode !== mode || run.status !== "ok" || !ofVersion(version)(run)) return [];
    const value = METRICS[metric].value(run);
    return typeof value === "number" && Number.isFinite(value) ? [value] : [];
  });
}

/**
 * One mode and metric, candidate against base over the rounds where both ran validly: the
 * median of per-round ratios with its CI and an exact signed-rank test on their logs; withheld when
 * processes outside the benchmark took the machine during one of its runs.
 */
function judgePair(
  load: LoadResults,
  mode: LoadMode,
  metric: MetricId,
  options: GateOptions,
  family: number,
): MetricChange {
  const row = {
    mode,
    metric,
    baseline: summaryOf(valuesOf(load, mode, "base", metric)),
    current: summaryOf(valuesOf(load, mode, "candidate", metric)),
  };
  const cannot = (note: string, change: MetricChange["change"] = null): MetricChange => ({
    ...row,
    change,
    holmP: null,
    status: "cannot judge",
    note,
  });
  const [candidate, base] = pairedByRound(
    load.runs,
    mode,
    mode,
    METRICS[metric].value,
    ofVersion("candidate"),
    ofVersion("base"),
  );
  if (candidate.length === 0) return cannot("no round in which both versions ran validly");
  if ([...candidate, ...base].some((x) => x <= 0)) return cannot("a zero: no ratio to take");
  const floor = smallestSignedRankP(candidate.length);
  if (floor >= options.alpha) {
    return cannot(
      `${candidate.length} paired rounds: the smallest possible p is ${fmtP(floor)}, not below α ${options.alpha}`,
    );
  }
  const change = compare(candidate, base, {
    alpha: options.alpha,
    threshold: options.threshold,
    paired: true,
    test: "signed-rank",
    family,
  });
  // Unlike two separate benchmarks, rounds that disagree cannot make a false alarm here: each
  // round ran both versions in a random order, so under no change a round's sign is a coin toss
  // whatever the machine did, and the exact test counts exactly that. Noise costs power (the
  // detectable change says how much), not validity. A machine shared with other work is still
  // not a measurement of the code.
  const busy = busyMachine(load.runs, [mode]);
  if (busy) return cannot(`too noisy to judge: ${busy}`, { ...change, withheld: busy });
  return judged(row, change, metric, options.threshold);
}

/**
 * The A/B gate: every mode and metric of the run, candidate against base paired by round, with
 * Holm's correction over all of them. Its outcome is the exit code's: a regression fails it.
 */
export function abGate(
  load: LoadResults,
  options: GateOptions,
  sides: { base: ResultsSide; candidate: ResultsSide },
): GateResult {
  const family = load.options.modes.length * options.metrics.length;
  const changes = overTheFamily(
    load.options.modes.flatMap((mode) =>
      options.metrics.map((metric) => judgePair(load, mode, metric, options, family)),
    ),
    options.alpha,
    (c) => smallestSignedRankP(c.change?.n ?? 0),
  );
  return {
    design: "interleaved",
    options,
    baseline: sides.base,
    current: sides.candidate,
    changes,
    setupDifferences: [],
    outcome: outcomeOf(changes),
  };
}
