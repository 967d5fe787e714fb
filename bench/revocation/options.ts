import { configInvalid } from "../../lib/errors.js";
import {
  givenOptions,
  inRange,
  integer,
  listOf,
  type OptionTable,
  parseOptions,
  passedOn,
  subsetOf,
  urlWithScheme,
  usageText,
} from "../../lib/option-table.js";
import {
  databaseUrlOption,
  jsonOption,
  outOption,
  redisUrlOption,
} from "../../lib/shared-options.js";
import { DEFAULTS as SERVER, OPTIONS as SERVER_OPTIONS } from "../../server/config.js";
import { DEFAULT_VERSION_CACHE } from "../../server/modes.js";
import { OUR_API, readApiDescription } from "../harness/api-description.js";
import { JWT_ALIAS_HELP, modeList } from "../harness/mode-list.js";
import {
  checkOneRedis,
  jwtVersionCacheOption,
  REDIS_MODES_HELP,
  redisClusterOption,
} from "../harness/redis-jwt-options.js";
import {
  EVENTS,
  PROBED_TARGET,
  REVOCATION_MODES,
  type RevocationEvent,
  type RevocationMode,
  type RevocationOptions,
} from "./schema.js";

export interface RevocationCommandOptions extends RevocationOptions {
  json: boolean;
}

/** The one place where the revocation benchmark's defaults live. */
export const REVOCATION_DEFAULTS: Readonly<RevocationCommandOptions> = Object.freeze({
  // One plain JWT: its algorithm changes its speed, not how long a revoked token lives.
  modes: [
    "none",
    "memory",
    "redis",
    "tiered",
    "jwt-es256",
    "jwt-denylist",
    "jwt-version",
  ] as RevocationMode[],
  instances: 3,
  events: [...EVENTS],
  trials: 20,
  raceTrials: 3,
  raceConnections: 16,
  intervalMs: 2,
  // Short, so that memory's lag on the other instances (which is this TTL) fits in the run.
  cacheTtl: 2,
  localCacheTtl: 2,
  // A moderate, fixed background: a closed loop would saturate both cores and put the harness's
  // own jitter into every lag.
  loadRate: 1000,
  loadConnections: 2,
  // 160 trials on defaults: 500 ms each grew the command by half (2 min 36 s to 3 min 52 s here);
  // 200 ms keeps it within a quarter and still outlasts a store read racing the revocation.
  resurrectionWindowMs: 200,
  serverArgs: [],
  // Short, so that a plain JWT's whole life (its exposure) fits in each trial, and longer than the
  // cache TTLs, so that jwt-version's and jwt-denylist's own bounds show before a token expires.
  tokenTtl: 4,
  jwtAlg: SERVER.jwtAlg,
  jwtVersionCache: DEFAULT_VERSION_CACHE,
  store: "sqlite",
  redisUrl: SERVER.redisUrl,
  redisCluster: [],
  databaseUrl: SERVER.databaseUrl,
  out: "reports",
  probes: [],
  api: null,
  credentials: null,
  promiseMs: 0,
  json: false,
});

export const REVOCATION_OPTIONS: OptionTable<RevocationCommandOptions> = {
  modes: {
    flag: "modes",
    help: `modes: ${REVOCATION_MODES.join(",")} (${JWT_ALIAS_HELP})`,
    parse: modeList<RevocationMode>(),
    check: subsetOf<RevocationMode>(REVOCATION_MODES),
  },
  instances: {
    flag: "instances",
    help: "server processes per mode, each probed on its own port",
    parse: integer,
    check: inRange(1, 16),
  },
  events: {
    flag: "events",
    help: `revocations: ${EVENTS.join(",")}`,
    parse: listOf<RevocationEvent>(),
    check: subsetOf(EVENTS),
  },
  trials: {
    flag: "trials",
    help: "revocations per mode and event",
    parse: integer,
    check: inRange(1, 1000),
  },
  raceTrials: {
    flag: "race-trials",
    help: "race trials per mode and event (0: none)",
    parse: integer,
    check: inRange(0, 100),
  },
  raceConnections: {
    flag: "race-connections",
    help: "connections hammering the token in a race trial",
    parse: integer,
    check: inRange(1, 256),
  },
  intervalMs: {
    flag: "interval-ms",
    help: "probe interval after a revocation",
    parse: integer,
    check: inRange(1, 1000),
  },
  cacheTtl: passedOn(SERVER_OPTIONS.cacheTtl, "cache TTL of the servers in seconds"),
  localCacheTtl: passedOn(
    SERVER_OPTIONS.localCacheTtl,
    "tiered: TTL of the in-process tier in seconds",
  ),
  resurrectionWindowMs: {
    flag: "resurrection-window",
    help: "milliseconds of probing after the first 401, to see a revoked token accepted again",
    parse: integer,
    check: inRange(0, 60_000),
  },
  serverArgs: {
    flag: "server-args",
    help: 'extra flags for every server, e.g. --server-args="--tiered-broadcast off" (with =) to see a broken promise fail the run',
    parse: (raw) => raw.split(/\s+/).filter(Boolean),
    show: (value) => (value.length > 0 ? value.join(" ") : "none"),
  },
  tokenTtl: {
    flag: "token-ttl",
    help: "JWT modes: seconds a probed token lives (a plain JWT is accepted until then; the background's tokens live long)",
    parse: integer,
    check: inRange(1, 600),
  },
  jwtAlg: passedOn(SERVER_OPTIONS.jwtAlg, "the algorithm of jwt-denylist and jwt-version"),
  jwtVersionCache: jwtVersionCacheOption(),
  loadRate: {
    flag: "load-rate",
    help: "background load during the trials, req/s offered over all instances (0: none)",
    parse: integer,
    check: inRange(0, 1_000_000),
  },
  loadConnections: {
    flag: "load-connections",
    help: "the most connections the background load holds per instance",
    parse: integer,
    check: inRange(1, 256),
  },
  store: passedOn(SERVER_OPTIONS.store, "sqlite | postgres"),
  redisUrl: redisUrlOption(REDIS_MODES_HELP),
  redisCluster: redisClusterOption(),
  databaseUrl: databaseUrlOption("PostgreSQL for --store postgres"),
  out: outOption(),
  probes: {
    flag: "probe",
    help: "URL of one instance of your deployment, probed instead of our modes' servers",
    repeatable: true,
    parse: (raw) => [raw.replace(/\/+$/, "")],
    check: (urls) => urls.map(urlWithScheme("http:", "https:")).find(Boolean),
    show: (urls) => (urls.length === 0 ? "none" : urls.join(" ")),
  },
  api: {
    flag: "api",
    help: "with --probe: the API description (JSON, docs/targets.md) of the instances, when they do not speak ours",
    parse: (raw) => readApiDescription(raw),
    show: (api) => (api === null ? "ours" : "given"),
  },
  credentials: {
    flag: "credentials",
    help: 'with --probe: users as {"name": {"password": "..."}}, one per trial and 10 for the background',
    parse: (raw) => (raw === "" ? null : raw),
    show: (value) => value ?? "none",
  },
  promiseMs: {
    flag: "promise-ms",
    help: "with --probe: how long your deployment promises a revoked token may still be accepted",
    parse: integer,
    check: inRange(0, 3_600_000),
  },
  json: jsonOption(),
};

export function revocationOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): RevocationCommandOptions {
  const options = parseOptions(REVOCATION_OPTIONS, REVOCATION_DEFAULTS, argv, env);
  const given = givenOptions(REVOCATION_OPTIONS, argv, env);
  checkOneRedis(options.redisCluster, given);
  withProbes(options, given);
  const cached = options.modes.filter((mode) => mode === "jwt-version" || mode === "jwt-denylist");
  const ttl = Math.max(options.cacheTtl, options.localCacheTtl);
  // exp counts whole seconds from an iat rounded down: a token may end up to a second early.
  if (cached.length > 0 && options.tokenTtl < ttl + 2) {
    throw configInvalid(
      `--token-ttl ${options.tokenTtl} must be at least 2 s longer than the cache TTLs (${ttl} s) for ${cached.join(" and ")}: a token that expires first hides the cache's own bound`,
    );
  }
  return options;
}

/** --probe: the user's instances instead of our modes, driven through their API description. */
function withProbes(
  options: RevocationCommandOptions,
  given: ReadonlySet<keyof RevocationCommandOptions>,
): void {
  if (options.probes.length === 0) {
    for (const key of ["api", "credentials", "promiseMs"] as const) {
      if (given.has(key))
        throw configInvalid(
          `--${REVOCATION_OPTIONS[key].flag} is for --probe: give the instances' URLs`,
        );
    }
    return;
  }
  for (const key of ["modes", "instances", "serverArgs"] as const) {
    if (given.has(key)) {
      throw configInvalid(
        `--${REVOCATION_OPTIONS[key].flag}: --probe benchmarks instances the benchmark does not start`,
      );
    }
  }
  if (options.credentials === null)
    throw configInvalid('--probe needs --credentials FILE with {"name": {"password": "..."}}');
  const api = options.api ?? OUR_API;
  const missing = options.events.filter((event) =>
    event === "logout" ? api.logout === null : api.passwordChange === null,
  );
  if (missing.length > 0 && given.has("events"))
    throw configInvalid(`--events ${missing.join(",")}: the API description has no such request`);
  options.events = options.events.filter((event) => !missing.includes(event));
  options.modes = [PROBED_TARGET];
  options.instances = options.probes.length;
}

export const revocationUsage = () =>
  usageText(REVOCATION_OPTIONS, REVOCATION_DEFAULTS, "npm run bench:revocation --");
