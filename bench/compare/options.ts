import { usageError } from "../../lib/errors.js";
import {
  flagOn,
  listOf,
  type OptionTable,
  parseOptions,
  subsetOf,
  usageText,
} from "../../lib/option-table.js";
import { fmtThreshold, type GateOptions } from "./compare-results.js";
import { DEFAULT_METRICS, METRIC_IDS, type MetricId } from "./metrics.js";

export interface CompareCommandOptions extends GateOptions {
  markdown: boolean;
}

export const COMPARE_DEFAULTS: Readonly<CompareCommandOptions> = Object.freeze({
  threshold: 0.1,
  alpha: 0.05,
  metrics: DEFAULT_METRICS,
  allowDifferentSetup: false,
  markdown: false,
});

// "10%" and "0.1" both mean ten percent; a bare "10" is refused rather than read as 1000%.
const share = (raw: string): number =>
  raw.trim().endsWith("%") ? Number(raw.trim().slice(0, -1)) / 100 : Number(raw);

export const COMPARE_OPTIONS: OptionTable<CompareCommandOptions> = {
  threshold: {
    flag: "threshold",
    help: "smallest change that counts, as a percentage (10%) or a fraction (0.1)",
    parse: share,
    check: (value) =>
      Number.isFinite(value) && value >= 0 && value < 1
        ? undefined
        : "must be a percentage from 0% to 99% or a fraction below 1",
    show: fmtThreshold,
  },
  alpha: {
    flag: "alpha",
    help: "significance level of the Mann-Whitney U test and the CIs",
    parse: Number,
    check: (value) =>
      Number.isFinite(value) && value > 0 && value <= 0.5 ? undefined : "must be in (0, 0.5]",
  },
  metrics: {
    flag: "metrics",
    help: `comma-separated: ${METRIC_IDS.join(",")}`,
    parse: listOf<MetricId>(),
    check: subsetOf(METRIC_IDS),
  },
  allowDifferentSetup: {
    flag: "allow-different-setup",
    boolean: true,
    help: "compare results from a different machine or configuration anyway",
    parse: flagOn,
  },
  markdown: {
    flag: "markdown",
    boolean: true,
    help: "print Markdown (for a pull-request comment) instead of the terminal table",
    parse: flagOn,
  },
};

const COMMAND = "npm run bench:compare -- BASELINE CURRENT";

export const compareUsage = () =>
  `${usageText(COMPARE_OPTIONS, COMPARE_DEFAULTS, COMMAND)}\n\n` +
  "BASELINE and CURRENT are results.json files or the report folders holding them.\n" +
  "Exit code: 1 when a change is a significant regression beyond the threshold, 2 when the\n" +
  "results cannot be compared or judged, 0 otherwise.";

/** The two results files, and the options from the flags around them. */
export function compareCommandOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { files: [string, string]; options: CompareCommandOptions } {
  const takesValue = new Set(
    Object.values(COMPARE_OPTIONS)
      .filter((spec) => !spec.boolean)
      .map((spec) => `--${spec.flag}`),
  );
  const files: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("-")) files.push(arg);
    else {
      flags.push(arg);
      const value = argv[i + 1];
      if (takesValue.has(arg) && value !== undefined) {
        flags.push(value);
        i++;
      }
    }
  }
  const [baseline, current, ...extra] = files;
  if (baseline === undefined || current === undefined || extra.length > 0) {
    throw usageError(
      `expects two results, BASELINE and CURRENT, got ${files.length}: ${COMMAND} [options]`,
    );
  }
  return {
    files: [baseline, current],
    options: parseOptions(COMPARE_OPTIONS, COMPARE_DEFAULTS, flags, env),
  };
}
