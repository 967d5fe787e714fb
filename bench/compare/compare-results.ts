import { compareInput, compareSetupMismatch } from "../../lib/errors.js";
import { busyMachine, isPlain, type LoadMode, type LoadResults } from "../load/index.js";
import { fmtP, fmtPct } from "../report/format.js";
import {
  type Comparison,
  compare,
  holm,
  type Summary,
  smallestP,
  summarize,
} from "../stats/index.js";
import { METRICS, type MetricId } from "./metrics.js";
import { setupDifferences } from "./setup.js";

export interface GateOptions {
  /** Smallest |current / baseline − 1| that counts, e.g. 0.1. */
  threshold: number;
  alpha: number;
  metrics: readonly MetricId[];
  allowDifferentSetup: boolean;
}

/** `~`: no significant change, or one within the threshold. */
export type ChangeStatus = "regression" | "improvement" | "~" | "cannot judge";

export interface MetricChange {
  mode: LoadMode;
  metric: MetricId;
  baseline: Summary | null;
  current: Summary | null;
  /** Current relative to baseline. */
  change: Comparison | null;
  /** Its p adjusted (Holm) over every change the gate judged; null where none was judged. */
  holmP: number | null;
  status: ChangeStatus;
  /** Why, when the status alone does not say it. */
  note: string | null;
}

export interface ResultsSide {
  /** The file it came from, as the user named it. */
  label: string;
  commit: string | null;
  createdAt: string;
}

export type GateOutcome = "pass" | "fail" | "cannot judge";

/**
 * How the two sides were measured: by two separate benchmarks (bench:compare; runs independent,
 * Mann-Whitney U), or as arms of one interleaved A/B run (bench:ab; rounds paired, signed-rank).
 */
export type GateDesign = "separate" | "interleaved";

export interface GateResult {
  design: GateDesign;
  options: GateOptions;
  baseline: ResultsSide;
  current: ResultsSide;
  changes: MetricChange[];
  /** Differences of machine or configuration that --allow-different-setup let through. */
  setupDifferences: string[];
  outcome: GateOutcome;
}

export const fmtThreshold = (threshold: number): string =>
  fmtPct(threshold, Number.isInteger(Math.round(threshold * 1e6) / 1e4) ? 0 : 1);

export const EXIT_CODES: Readonly<Record<GateOutcome, number>> = {
  pass: 0,
  fail: 1,
  "cannot judge": 2,
};

function validValues(results: LoadResults, mode: LoadMode, metric: MetricId): number[] {
  return results.runs.flatMap((run) => {
    // The gate compares the runs without a flood, as every summary does.
    if (run.mode !== mode || !isPlain(run) || run.status !== "ok") return [];
    const value = METRICS[metric].value(run);
    return typeof value === "number" && Number.isFinite(value) ? [value] : [];
  });
}

function judge(
  baseline: LoadResults,
  current: LoadResults,
  mode: LoadMode,
  metric: MetricId,
  options: GateOptions,
  family: number,
): MetricChange {
  const before = validValues(baseline, mode, metric);
  const after = validValues(current, mode, metric);
  const row = {
    mode,
    metric,
    baseline: before.length > 0 ? summarize(before) : null,
    current: after.length > 0 ? summarize(after) : null,
  };
  const cannot = (note: string): MetricChange => ({
    ...row,
    change: null,
    holmP: null,
    status: "cannot judge",
    note,
  });
  if (before.length === 0 || after.length === 0) {
    const missing = [before.length === 0 ? "baseline" : "", after.length === 0 ? "current" : ""];
    return cannot(`no valid runs in ${missing.filter(Boolean).join(" or ")}`);
  }
  if (before.some((x) => x <= 0)) return cannot("zero in the baseline: no ratio to take");
  // A change measured while something else took the machine is the machine's: too noisy.
  for (const [name, results] of [
    ["baseline", baseline],
    ["current", current],
  ] as const) {
    const busy = busyMachine(results.runs, [mode]);
    if (busy) return cannot(`too noisy to judge: in the ${name}, ${busy}`);
  }
  const floor = smallestP(before.length, after.length);
  if (floor >= options.alpha) {
    return cannot(
      `${before.length} and ${after.length} valid runs: the smallest possible p is ${fmtP(floor)}, not below α ${options.alpha}`,
    );
  }
  // Two separate benchmarks: their rounds are not paired, whatever their counts.
  const change = compare(after, before, {
    alpha: options.alpha,
    threshold: options.threshold,
    paired: false,
    family,
  });
  return judged(row, change, metric, options.threshold);
}

/** A change's status as its own test gives it, before the family's correction (overTheFamily). */
export function judged(
  row: Pick<MetricChange, "mode" | "metric" | "baseline" | "current">,
  change: Comparison,
  metric: MetricId,
  threshold: number,
): MetricChange {
  const better = change.verdict === METRICS[metric].better;
  if (change.beyondThreshold) {
    return {
      ...row,
      change,
      holmP: null,
      status: better ? "improvement" : "regression",
      note: null,
    };
  }
  const note = change.significant
    ? `significant but within the ${fmtThreshold(threshold)} threshold`
    : null;
  // Its Holm p depends on every other test of the gate: overTheFamily sets it.
  return { ...row, change, holmP: null, status: "~", note };
}

/** The gate's outcome: any regression fails it; else any change it could not judge. */
export const outcomeOf = (changes: readonly MetricChange[]): GateOutcome =>
  changes.some((c) => c.status === "regression")
    ? "fail"
    : changes.some((c) => c.status === "cannot judge")
      ? "cannot judge"
      : "pass";

/**
 * The gate runs one test per mode and metric: with twenty of them, one would pass p < 0.05 by
 * chance alone. A change counts only when its p, adjusted by Holm's step-down over every test
 * the gate judged, is still below alpha.
 */
export function overTheFamily(
  changes: readonly MetricChange[],
  alpha: number,
  /** The smallest p a change's runs allow: its rank test's, over its sample sizes. */
  smallest: (change: MetricChange) => number = (c) =>
    smallestP(c.baseline?.n ?? 0, c.current?.n ?? 0),
): MetricChange[] {
  const judged = changes.filter((c) => c.change !== null);
  const adjusted = holm(judged.map((c) => c.change?.p ?? 1));
  return changes.map((c) => {
    const index = judged.indexOf(c);
    if (index < 0) return c;
    // The smallest p these runs allow, taken over the whole family: no change could count.
    const floor = smallest(c) * judged.length;
    if (floor >= alpha) {
      return {
        ...c,
        holmP: null,
        status: "cannot judge",
        note:
          `${c.change?.method === "paired" ? `${c.change.n} paired rounds` : `${c.baseline?.n} and ${c.current?.n} valid runs`}: the smallest possible p over the` +
          ` gate's ${judged.length} tests (Holm) is ${fmtP(Math.min(1, floor))}, not below α ${alpha}`,
      };
    }
    const holmP = adjusted[index] ?? 1;
    const counted = c.status === "regression" || c.status === "improvement";
    if (!counted || holmP < alpha) return { ...c, holmP };
    return {
      ...c,
      holmP,
      status: "~",
      note:
        `p ${fmtP(c.change?.p ?? 1)} alone, but ${fmtP(holmP)} over the gate's` +
        ` ${judged.length} tests (Holm): not significant`,
    };
  });
}

export const side = (results: LoadResults, label: string): ResultsSide => ({
  label,
  commit: results.provenance.git
    ? `${results.provenance.git.commit.slice(0, 12)}${results.provenance.git.dirty ? " (dirty)" : ""}`
    : null,
  createdAt: results.provenance.createdAt,
});

/**
 * For each mode and metric, the change from baseline to current with its CI and a Mann-Whitney U
 * test over runs. Throws ACB_COMPARE_SETUP_MISMATCH when machine or configuration differ (unless
 * allowed) and ACB_COMPARE_INPUT when the results cannot be compared at all.
 */
export function compareResults(
  baseline: LoadResults,
  current: LoadResults,
  options: GateOptions,
  labels = { baseline: "baseline", current: "current" },
): GateResult {
  for (const [name, results] of [
    [labels.baseline, baseline],
    [labels.current, current],
  ] as const) {
    if (results.status !== "complete") {
      throw compareInput(`${name} is ${results.status}: only complete results can be compared`);
    }
  }
  const differences = setupDifferences(baseline, current);
  if (differences.length > 0 && !options.allowDifferentSetup) {
    throw compareSetupMismatch(differences);
  }
  const modes = baseline.options.modes.filter((mode) => current.options.modes.includes(mode));
  if (modes.length === 0) {
    throw compareInput(
      `no mode in common: ${labels.baseline} ran ${baseline.options.modes.join(",")}, ${labels.current} ran ${current.options.modes.join(",")}`,
    );
  }
  const family = modes.length * options.metrics.length;
  const changes = overTheFamily(
    modes.flatMap((mode) =>
      options.metrics.map((metric) => judge(baseline, current, mode, metric, options, family)),
    ),
    options.alpha,
  );
  return {
    design: "separate",
    options,
    baseline: side(baseline, labels.baseline),
    current: side(current, labels.current),
    changes,
    setupDifferences: differences,
    outcome: outcomeOf(changes),
  };
}
