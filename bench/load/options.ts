import { configInvalid } from "../../lib/errors.js";
import {
  checkAll,
  flagOn,
  givenOptions,
  inRange,
  integer,
  memberOf,
  numberInRange,
  type OptionTable,
  oneOf,
  parseOptions,
  passedOn,
  subsetOf,
  usageText,
} from "../../lib/option-table.js";
import {
  databaseUrlOption,
  jsonOption,
  outOption,
  redisUrlOption,
  serverArgsOption,
} from "../../lib/shared-options.js";
import { JWT_ALGS } from "../../server/auth/jwt-keys.js";
import { DEFAULTS as SERVER, OPTIONS as SERVER_OPTIONS } from "../../server/config.js";
import { DEFAULT_VERSION_CACHE } from "../../server/modes.js";
import { readApiDescription } from "../harness/api-description.js";
import { FAULT_SYNTAX, parseFault, showFault } from "../harness/fault.js";
import { JWT_ALIAS_HELP, modeList } from "../harness/mode-list.js";
import { ARRIVALS, type Arrivals } from "../harness/open-loop.js";
import {
  checkOneRedis,
  jwtVersionCacheOption,
  REDIS_MODES_HELP,
  redisClusterOption,
} from "../harness/redis-jwt-options.js";
import {
  OUR_API_SCENARIOS,
  SCENARIOS,
  type Scenario,
  STAMPEDE_SCENARIOS,
} from "../harness/scenarios.js";
import { checkTargets, parseTargetFlag, readTargetsFile } from "../harness/targets.js";
import { LOAD_MODES, type LoadMode, type LoadOptions, PIN_CPUS, type PinCpus } from "./schema.js";

export interface LoadCommandOptions extends LoadOptions {
  json: boolean;
  saveBaseline: string | null;
  /** --targets FILE: targets with their own settings, after those of --target. */
  targetsFile: string | null;
  /** --api FILE: the API description of every --target. */
  api: string | null;
}

/** The one place where the load benchmark's defaults live. */
export const LOAD_DEFAULTS: Readonly<LoadCommandOptions> = Object.freeze({
  // tiered is there to be asked for; the default answers the question of the article.
  modes: ["ceiling", "none", "memory", "redis"] as LoadMode[],
  store: "sqlite",
  scenario: "read",
  connections: 10,
  duration: 4,
  warmup: 2,
  // Six runs is the fewest for which the order-statistic CI of a median reaches 95% coverage.
  runs: 6,
  users: 100,
  originLatencyMs: 0,
  cacheTtl: SERVER.cacheTtl,
  cacheMax: SERVER.cacheMax,
  quick: false,
  targets: [],
  targetsFile: null,
  api: null,
  reference: null,
  credentials: null,
  redisUrl: SERVER.redisUrl,
  redisCluster: [],
  fault: null,
  databaseUrl: SERVER.databaseUrl,
  out: "reports",
  // The issue this scenario answers: a wrong-password client over 20 connections.
  orderSeed: null,
  floodConnections: 20,
  floodRate: 0,
  rate: null,
  capacity: false,
  sloP99Ms: 5,
  arrivals: "uniform",
  maxInFlight: null,
  pinCpus: "off",
  serverArgs: [],
  jwtAlg: SERVER.jwtAlg,
  jwtVersionCache: DEFAULT_VERSION_CACHE,
  json: false,
  saveBaseline: null,
});

/** --quick: a smoke run for CI, seconds per mode; its figures say that the modes work, not how fast. */
const QUICK = { duration: 2, warmup: 1, runs: 2 } as const;
/**
 * The open loop holds up to this many connections unless told otherwise: enough that a rate the
 * server carries is never held back by the pool (a closed loop's 10 would queue its bursts).
 */
const OPEN_LOOP_CONNECTIONS = 64;
/**
 * --capacity: --duration is the length of each step of the search; six or seven steps per mode
 * and round keep a default run (4 modes × 6 rounds) within about 8 minutes here.
 */
const CAPACITY = { duration: 2, quickDuration: 1 } as const;
/**
 * login-flood runs three arms per mode (no flood, flood with limits, flood without): by default
 * only the two modes whose token path differs, so that a default run stays near four minutes.
 */
const FLOOD_MODES: LoadMode[] = ["none", "memory"];
/**
 * cold-start: long enough to reach the steady hit ratio on Zipf traffic (about 2 s here); expiry:
 * entries that live 2 s, so that a 7 s run sees them expire together three times.
 */
const STAMPEDE = {
  "cold-start": { duration: 5, quickDuration: 2 },
  expiry: { duration: 7, quickDuration: 5, cacheTtl: 2 },
} as const;
/** The stampede scenarios run each cache mode in two arms: none once, as the store's own load. */
const STAMPEDE_MODES: LoadMode[] = ["none", "memory", "redis"];
/** zipf needs a population larger than the cache, so that the hit ratio is something to measure. */
const ZIPF = { users: 10_000, cacheShare: 0.1 } as const;

const nullableText = (raw: string): string | null => (raw === "" ? null : raw);
const showNullable = (value: string | null) => value ?? "none";

export const LOAD_OPTIONS: OptionTable<LoadCommandOptions> = {
  modes: {
    flag: "modes",
    help: `comma-separated modes to run, of ${LOAD_MODES.join(",")} (${JWT_ALIAS_HELP})`,
    parse: modeList<LoadMode>(),
    check: subsetOf<LoadMode>(LOAD_MODES),
  },
  store: passedOn(SERVER_OPTIONS.store, "source of truth of the server: sqlite | postgres"),
  scenario: {
    flag: "scenario",
    help: `traffic: ${SCENARIOS.join(" | ")}`,
    parse: oneOf<Scenario>(),
    check: memberOf(SCENARIOS),
  },
  connections: {
    flag: "connections",
    help: `concurrent connections (open loop: the most it may hold, default ${OPEN_LOOP_CONNECTIONS})`,
    parse: integer,
    check: inRange(1, 1000),
  },
  duration: {
    flag: "duration",
    help: `seconds measured per run (--capacity: per step of the search, default ${CAPACITY.duration})`,
    parse: integer,
    check: inRange(1, 3600),
  },
  warmup: {
    flag: "warmup",
    help: "seconds of load thrown away before each measured run",
    parse: integer,
    check: inRange(0, 600),
  },
  runs: {
    flag: "runs",
    help: "measured runs per mode, interleaved",
    parse: integer,
    check: inRange(1, 100),
  },
  users: {
    flag: "users",
    help: `logged-in users whose tokens the load rotates over (zipf: default ${ZIPF.users})`,
    parse: integer,
    check: inRange(1, 1_000_000),
  },
  originLatencyMs: passedOn(
    SERVER_OPTIONS.originLatencyMs,
    "delay added to every store read, to model a store further away",
  ),
  cacheTtl: passedOn(SERVER_OPTIONS.cacheTtl, "cache entry lifetime in seconds"),
  cacheMax: passedOn(
    SERVER_OPTIONS.cacheMax,
    `memory cache entries at most (zipf: default ${ZIPF.cacheShare * 100}% of --users)`,
  ),
  quick: {
    flag: "quick",
    boolean: true,
    help: `smoke run: ${QUICK.duration}s runs, ${QUICK.warmup}s warm-up, ${QUICK.runs} runs per mode`,
    parse: flagOn,
  },
  targets: {
    flag: "target",
    help: "NAME=URL: benchmark this server, which the benchmark does not start, instead of modes; several are interleaved like modes",
    repeatable: true,
    parse: (raw) => [parseTargetFlag(raw, LOAD_MODES)],
    show: (targets) => (targets.length === 0 ? "none" : targets.map((t) => t.name).join(",")),
  },
  targetsFile: {
    flag: "targets",
    help: "targets from a JSON file, each with its own settings (docs/targets.md): name, url, api, metrics, pid",
    parse: nullableText,
    show: showNullable,
  },
  api: {
    flag: "api",
    help: "the API description (JSON, docs/targets.md) of every --target that does not speak ours",
    parse: nullableText,
    show: showNullable,
  },
  reference: {
    flag: "reference",
    help: "the target every other is compared with",
    parse: nullableText,
    show: (value) => value ?? "the first target",
  },
  credentials: {
    flag: "credentials",
    help: 'with targets: users as {"name": {"password": "...", "role": "..."}}',
    parse: nullableText,
    show: showNullable,
  },
  redisUrl: redisUrlOption(REDIS_MODES_HELP),
  redisCluster: redisClusterOption(),
  databaseUrl: databaseUrlOption("PostgreSQL for --store postgres"),
  out: outOption(),
  orderSeed: {
    flag: "order-seed",
    help: "seed of each round's random order of the modes, to repeat one (default: drawn and reported)",
    parse: (raw) => integer(raw),
    check: (value) => (value === null ? undefined : inRange(0, 4_294_967_295)(value)),
    show: (value) => (value === null ? "random" : String(value)),
  },
  floodConnections: {
    flag: "flood-connections",
    help: "login-flood: connections sending wrong-password logins beside the measured reads",
    parse: integer,
    check: inRange(1, 1000),
  },
  floodRate: {
    flag: "flood-rate",
    help: "login-flood: logins per second over all flood connections (0: as fast as they go)",
    parse: integer,
    check: inRange(0, 1_000_000),
  },
  rate: {
    flag: "rate",
    help: "open loop: every mode at this offered rate (req/s), response time from the planned send",
    parse: (raw) => integer(raw),
    check: (value) => (value === null ? undefined : inRange(1, 1_000_000)(value)),
    show: (value) => (value === null ? "closed loop" : String(value)),
  },
  capacity: {
    flag: "capacity",
    boolean: true,
    help: "open loop: each mode's capacity at the SLO, a search over the offered rate in every round",
    parse: flagOn,
  },
  sloP99Ms: {
    flag: "slo-p99-ms",
    help: "--capacity: the SLO, p99 response time in ms with nothing dropped",
    parse: Number,
    check: numberInRange(0.1, 60_000),
  },
  arrivals: {
    flag: "arrivals",
    help: `open loop: gaps between planned sends, ${ARRIVALS.join(" | ")} (exponential)`,
    parse: oneOf<Arrivals>(),
    check: memberOf(ARRIVALS),
  },
  maxInFlight: {
    flag: "max-in-flight",
    help: "open loop: requests queued or in flight at most, beyond which they are dropped (default: 1 s of traffic)",
    parse: (raw) => integer(raw),
    check: (value) => (value === null ? undefined : inRange(1, 10_000_000)(value)),
    show: (value) => (value === null ? "1 s of traffic" : String(value)),
  },
  pinCpus: {
    flag: "pin-cpus",
    help: "Linux: on puts the generator on CPU 0 and the servers on the others; both runs every mode pinned and unpinned, interleaved, to measure it",
    parse: oneOf<PinCpus>(),
    check: memberOf(PIN_CPUS),
  },
  saveBaseline: {
    flag: "save-baseline",
    help: "also write the results to FILE, as a baseline for npm run bench:compare",
    parse: nullableText,
    show: showNullable,
  },
  jwtAlg: passedOn(
    SERVER_OPTIONS.jwtAlg,
    `the algorithm of jwt-denylist and jwt-version: ${JWT_ALGS.join(" | ")} (plain JWTs run at each as a mode)`,
  ),
  jwtVersionCache: jwtVersionCacheOption(),
  fault: {
    flag: "fault",
    help: `${FAULT_SYNTAX}: in every measured run of the modes that use Redis, kill our own Redis (started for the run, never yours) at <at> s and start it again, empty, <for> s later; 100 ms bins say what each mode lost`,
    parse: (raw) => {
      try {
        return parseFault(raw);
      } catch (error) {
        throw configInvalid(`--fault ${(error as Error).message}`);
      }
    },
    show: showFault,
  },
  serverArgs: serverArgsOption(
    "server-args",
    'extra flags for every server it starts, in quotes ("--inject-cpu-us 2": a known cost); the ceiling takes no auth flag',
  ),
  json: jsonOption(),
};

/** Options from the command line, with the defaults that depend on other options filled in. */
export function loadCommandOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): LoadCommandOptions {
  const options = parseOptions(LOAD_OPTIONS, LOAD_DEFAULTS, argv, env);
  const given = givenOptions(LOAD_OPTIONS, argv, env);
  return withDerivedDefaults(options, given);
}

export function withDerivedDefaults(
  options: LoadCommandOptions,
  given: ReadonlySet<keyof LoadCommandOptions>,
): LoadCommandOptions {
  const out = { ...options };
  checkOneRedis(out.redisCluster, given);
  checkFault(out);
  if (out.quick) {
    for (const key of ["duration", "warmup", "runs"] as const)
      if (!given.has(key)) out[key] = QUICK[key];
  }
  if (out.scenario === "login-flood" && !given.has("modes")) out.modes = [...FLOOD_MODES];
  if (out.capacity) {
    if (out.rate !== null) {
      throw configInvalid(
        "--capacity searches for the rate itself: give --rate or --capacity, not both",
      );
    }
    if (out.scenario === "login-flood") {
      throw configInvalid(
        "--capacity measures one route at a time: the login-flood scenario runs with --rate or closed",
      );
    }
    if (!given.has("duration"))
      out.duration = out.quick ? CAPACITY.quickDuration : CAPACITY.duration;
  }
  if (out.pinCpus === "both" && (out.capacity || out.rate !== null)) {
    throw configInvalid(
      "--pin-cpus both compares pinned and unpinned throughput in the closed loop: with --rate or --capacity use --pin-cpus on",
    );
  }
  if ((out.capacity || out.rate !== null) && !given.has("connections")) {
    out.connections = OPEN_LOOP_CONNECTIONS;
  }
  if (STAMPEDE_SCENARIOS.has(out.scenario)) {
    if (out.capacity || out.rate !== null) {
      throw configInvalid(
        `the ${out.scenario} scenario watches a cache fill under full load (a closed loop): give neither --rate nor --capacity`,
      );
    }
    if (out.targets.length > 0 || out.targetsFile !== null) {
      throw configInvalid(
        `the ${out.scenario} scenario starts its own servers: it takes no --target`,
      );
    }
    const stampede = STAMPEDE[out.scenario as keyof typeof STAMPEDE];
    if (!given.has("duration"))
      out.duration = out.quick ? stampede.quickDuration : stampede.duration;
    if (!given.has("cacheTtl") && "cacheTtl" in stampede) out.cacheTtl = stampede.cacheTtl;
    // Nothing may warm the cache before the run: that is what the scenario measures.
    out.warmup = 0;
    if (!given.has("modes")) out.modes = [...STAMPEDE_MODES];
  }
  if (out.scenario === "zipf" || STAMPEDE_SCENARIOS.has(out.scenario)) {
    if (!given.has("users")) out.users = ZIPF.users;
    if (!given.has("cacheMax")) out.cacheMax = Math.max(1, Math.round(out.users * ZIPF.cacheShare));
  }
  withTargets(out, given);
  return checkAll(LOAD_OPTIONS, out);
}

/** A fault stops our own Redis in a closed-loop run of a read route, within its measured window. */
function checkFault({ fault, ...options }: LoadCommandOptions): void {
  if (!fault) return;
  const refuse = (why: string) => {
    throw configInvalid(`--fault ${showFault(fault)}: ${why}`);
  };
  if (options.targets.length > 0 || options.targetsFile !== null)
    refuse("it stops a Redis the benchmark started; a target's is not");
  if (options.redisCluster.length > 0) refuse("a cluster is yours: faults stop our own Redis only");
  if (options.rate !== null || options.capacity)
    refuse("it runs in the closed loop: no --rate or --capacity");
  if (options.scenario !== "read" && options.scenario !== "zipf") {
    refuse("it runs on a read route: --scenario read or zipf");
  }
  if (fault.atSeconds + fault.forSeconds >= options.duration) {
    refuse(
      `Redis must be back before the run ends, with time to refill: --duration above ${fault.atSeconds + fault.forSeconds}`,
    );
  }
}

/** The targets of --target (with --api) and --targets FILE; the modes then do not run. */
function withTargets(out: LoadCommandOptions, given: ReadonlySet<keyof LoadCommandOptions>): void {
  if (out.targets.length === 0 && out.targetsFile === null) {
    for (const key of ["api", "reference", "credentials"] as const) {
      if (given.has(key))
        throw configInvalid(
          `--${LOAD_OPTIONS[key].flag} is for targets: give --target or --targets`,
        );
    }
    return;
  }
  if (out.api !== null) {
    const api = readApiDescription(out.api);
    out.targets = out.targets.map((target) => ({ ...target, api }));
  }
  if (out.targetsFile !== null)
    out.targets = [...out.targets, ...readTargetsFile(out.targetsFile, LOAD_MODES)];
  checkTargets(out.targets, out.reference);
  if (given.has("modes"))
    throw configInvalid("--modes: targets run instead of modes; give one or the other");
  if (out.serverArgs.length > 0) {
    throw configInvalid("--server-args: a target is a server the benchmark does not start");
  }
  if (out.credentials === null) {
    throw configInvalid(
      'targets need --credentials FILE with {"name": {"password": "...", "role": "..."}}',
    );
  }
  if (OUR_API_SCENARIOS.has(out.scenario) && out.targets.some((target) => target.api !== null)) {
    throw configInvalid(
      `--scenario ${out.scenario} needs our API's other routes: a target with an API description runs read, zipf, login or invalid`,
    );
  }
}

export const loadUsage = () => usageText(LOAD_OPTIONS, LOAD_DEFAULTS, "npm run bench --");

/** The load benchmark's options for a composite (the map): its defaults, with `overrides` given. */
export function loadOptionsWith(overrides: Partial<LoadOptions>): LoadOptions {
  const given = new Set(Object.keys(overrides) as (keyof LoadCommandOptions)[]);
  const {
    json: _,
    saveBaseline: __,
    ...options
  } = checkAll(LOAD_OPTIONS, withDerivedDefaults({ ...LOAD_DEFAULTS, ...overrides }, given));
  return options;
}
