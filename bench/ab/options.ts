import { configInvalid } from "../../lib/errors.js";
import {
  givenOptions,
  type OptionTable,
  parseOptions,
  passedOn,
  text,
  usageText,
} from "../../lib/option-table.js";
import {
  databaseUrlOption,
  jsonOption,
  outOption,
  redisUrlOption,
  serverArgsOption,
} from "../../lib/shared-options.js";
import { DEFAULT_METRICS, type MetricId } from "../compare/metrics.js";
import { COMPARE_OPTIONS } from "../compare/options.js";
import { REDIS_MODES_HELP } from "../harness/redis-jwt-options.js";
import { LOAD_DEFAULTS, LOAD_OPTIONS } from "../load/index.js";
import type { AbOptions } from "./schema.js";

export interface AbCommandOptions extends AbOptions {
  json: boolean;
  markdown: boolean;
}

/** Options the load benchmark derives from others (open loop, capacity) unless they were given. */
export const DERIVED = ["connections", "duration", "warmup"] as const;

/**
 * The one place where the A/B run's defaults live. Ten rounds: with six, the median's interval
 * is the rounds' min–max and a signed-rank test's smallest p is 0.031, too close to α for a
 * gate over several metrics; with ten it is 0.002.
 */
export const AB_DEFAULTS: Readonly<AbCommandOptions> = Object.freeze({
  base: "",
  candidate: null,
  serverArgs: [],
  baseServerArgs: [],
  candidateServerArgs: [],
  modes: LOAD_DEFAULTS.modes,
  store: LOAD_DEFAULTS.store,
  connections: LOAD_DEFAULTS.connections,
  duration: LOAD_DEFAULTS.duration,
  warmup: LOAD_DEFAULTS.warmup,
  runs: 10,
  users: LOAD_DEFAULTS.users,
  rate: null,
  capacity: false,
  sloP99Ms: LOAD_DEFAULTS.sloP99Ms,
  threshold: 0.05,
  alpha: 0.05,
  metrics: [...DEFAULT_METRICS],
  orderSeed: null,
  redisUrl: LOAD_DEFAULTS.redisUrl,
  databaseUrl: LOAD_DEFAULTS.databaseUrl,
  out: "reports",
  json: false,
  markdown: false,
});

export const AB_OPTIONS: OptionTable<AbCommandOptions> = {
  base: {
    flag: "base",
    help: "required: the version to compare against, a git ref (HEAD~1, main, a commit) or a folder holding a built checkout",
    parse: text,
  },
  candidate: {
    flag: "candidate",
    help: "the version under test: a git ref or a folder",
    parse: (raw) => (raw === "" ? null : raw),
    show: (value) => value ?? "the working tree",
  },
  serverArgs: serverArgsOption(
    "server-args",
    'extra flags for both versions\' servers, in quotes ("--cache-ttl-jitter 0"); a version without one runs without it',
  ),
  baseServerArgs: serverArgsOption(
    "base-server-args",
    'extra flags for the base\'s servers only, in quotes ("--inject-cpu-us 40")',
  ),
  candidateServerArgs: serverArgsOption(
    "candidate-server-args",
    "extra flags for the candidate's servers only: an A/A run with a known regression injected",
  ),
  modes: passedOn(LOAD_OPTIONS.modes, "comma-separated modes, each run by both versions"),
  store: passedOn(LOAD_OPTIONS.store, "source of truth of the servers: sqlite | postgres"),
  connections: passedOn(
    LOAD_OPTIONS.connections,
    "concurrent connections (open loop: the most it may hold, default 64)",
  ),
  duration: passedOn(
    LOAD_OPTIONS.duration,
    "seconds measured per run (--capacity: per step, default 2)",
  ),
  warmup: passedOn(LOAD_OPTIONS.warmup, "seconds of load thrown away before each measured run"),
  runs: passedOn(
    LOAD_OPTIONS.runs,
    "rounds; each runs every mode on both versions once, in a seeded random order",
  ),
  users: passedOn(LOAD_OPTIONS.users, "logged-in users whose tokens the load rotates over"),
  rate: passedOn(
    LOAD_OPTIONS.rate,
    "open loop at this offered rate (req/s): response time at a fixed traffic level is gated, not throughput",
  ),
  capacity: passedOn(LOAD_OPTIONS.capacity, "also each arm's capacity at the SLO, gated per round"),
  sloP99Ms: passedOn(LOAD_OPTIONS.sloP99Ms, "--capacity: the SLO, p99 response time in ms"),
  threshold: passedOn(
    COMPARE_OPTIONS.threshold,
    "smallest change that counts, as a percentage (5%) or a fraction (0.05)",
  ),
  alpha: passedOn(
    COMPARE_OPTIONS.alpha,
    "significance level of the signed-rank tests (Holm over the gate) and the CIs",
  ),
  metrics: passedOn(
    COMPARE_OPTIONS.metrics,
    `${COMPARE_OPTIONS.metrics.help} (default with --rate: p50,p99,cpu; --capacity adds capacity)`,
  ),
  orderSeed: passedOn(
    LOAD_OPTIONS.orderSeed,
    "seed of each round's random order of the arms, to repeat one",
  ),
  redisUrl: redisUrlOption(REDIS_MODES_HELP),
  databaseUrl: databaseUrlOption("PostgreSQL for --store postgres"),
  out: outOption(),
  json: jsonOption(),
  markdown: passedOn(
    COMPARE_OPTIONS.markdown,
    "print Markdown (for a pull-request comment) instead of the terminal tables",
  ),
};

const COMMAND = "npm run bench:ab -- --base <git ref | folder>";

export const abUsage = (): string =>
  `${usageText(AB_OPTIONS, AB_DEFAULTS, COMMAND)}\n\n` +
  "Exit code: 1 when a change is a significant regression beyond the threshold, 2 when a version\n" +
  "cannot be had or a change cannot be judged (too few valid rounds, too noisy), 0 otherwise.";

/** What the gate compares when --metrics is not given: throughput is no figure of an open loop. */
function defaultMetrics(options: AbCommandOptions): MetricId[] {
  const base: MetricId[] =
    options.rate !== null ? DEFAULT_METRICS.filter((m) => m !== "rps") : [...DEFAULT_METRICS];
  return options.capacity ? ["capacity", ...base] : base;
}

/** Parses and checks the flags; the load options not given are left to the load benchmark's defaults. */
export function abCommandOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { options: AbCommandOptions; given: ReadonlySet<keyof AbCommandOptions> } {
  const options = parseOptions(AB_OPTIONS, AB_DEFAULTS, argv, env);
  const given = givenOptions(AB_OPTIONS, argv, env);
  if (options.base === "") {
    throw configInvalid(
      "--base is required: a git ref (HEAD~1, main, a commit) or a folder holding a built checkout",
    );
  }
  if (!given.has("metrics")) options.metrics = defaultMetrics(options);
  return { options, given };
}
