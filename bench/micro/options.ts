import {
  inRange,
  integer,
  listOf,
  type OptionTable,
  parseOptions,
  subsetOf,
  usageText,
} from "../../lib/option-table.js";
import {
  databaseUrlOption,
  jsonOption,
  outOption,
  redisUrlOption,
} from "../../lib/shared-options.js";
import { DEFAULTS as SERVER, OPTIONS as SERVER_OPTIONS } from "../../server/config.js";
import { type MicroOptions, SUITES, type SuiteName } from "./schema.js";

export interface MicroCommandOptions extends MicroOptions {
  json: boolean;
}

/** The one place where the micro benchmark's defaults live. */
export const MICRO_DEFAULTS: Readonly<MicroCommandOptions> = Object.freeze({
  suites: [...SUITES],
  // tinybench's own defaults: long enough for a stable mean, short enough for ~30 tasks in a minute.
  time: 1000,
  warmup: 250,
  originLatencyMs: 1,
  passwordCost: SERVER.passwordCost,
  redisUrl: SERVER.redisUrl,
  databaseUrl: SERVER.databaseUrl,
  out: "reports",
  json: false,
});

export const MICRO_OPTIONS: OptionTable<MicroCommandOptions> = {
  suites: {
    flag: "suite",
    help: `comma-separated suites to run: ${SUITES.join(",")}`,
    parse: listOf<SuiteName>(),
    check: subsetOf(SUITES),
  },
  time: {
    flag: "time",
    help: "milliseconds measured per task",
    parse: integer,
    check: inRange(1, 600_000),
  },
  warmup: {
    flag: "warmup",
    help: "milliseconds of warm-up per task, thrown away; a suite warms all its tasks first",
    parse: integer,
    check: inRange(0, 600_000),
  },
  originLatencyMs: {
    flag: "origin-latency-ms",
    help: "delay the origin suite adds to every store read, as the server's flag does",
    parse: integer,
    check: inRange(1, 60_000),
  },
  passwordCost: {
    ...SERVER_OPTIONS.passwordCost,
    help: "scrypt cost the password suite verifies at (the login cost), as ln=N,r=R,p=P",
  },
  redisUrl: redisUrlOption(
    "Redis for the cache and request suites (a private redis-server is started when unreachable)",
  ),
  databaseUrl: databaseUrlOption(
    "PostgreSQL for the store and origin suites (skipped when unreachable)",
  ),
  out: outOption(),
  json: jsonOption(),
};

/** Options from the command line; the suites always run in the order of SUITES. */
export function microCommandOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): MicroCommandOptions {
  const options = parseOptions(MICRO_OPTIONS, MICRO_DEFAULTS, argv, env);
  return { ...options, suites: SUITES.filter((suite) => options.suites.includes(suite)) };
}

export const microUsage = () => usageText(MICRO_OPTIONS, MICRO_DEFAULTS, "npm run bench:micro --");
