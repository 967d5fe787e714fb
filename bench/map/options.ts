import { configInvalid } from "../../lib/errors.js";
import {
  flagOn,
  givenOptions,
  list,
  type OptionTable,
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
} from "../../lib/shared-options.js";
import { CACHE_MODES } from "../../server/cache/token-cache.js";
import { DEFAULTS as SERVER, OPTIONS as SERVER_OPTIONS } from "../../server/config.js";
import { JWT_MODES } from "../../server/modes.js";
import { JWT_ALIAS_HELP, modeList } from "../harness/mode-list.js";
import { REDIS_MODES_HELP } from "../harness/redis-jwt-options.js";
import { LOAD_OPTIONS, type LoadMode } from "../load/index.js";
import { type Distance, MAP_STORES, type MapOptions, type MapStore } from "./schema.js";

export interface MapCommandOptions extends MapOptions {
  json: boolean;
}

/**
 * The modes a map compares: every cache mode, and the JWT modes at the load benchmark's default
 * algorithm and version cache, against none (the ceiling has no distance).
 */
const MAP_MODES: readonly LoadMode[] = ["none", "memory", "redis", "tiered", ...JWT_MODES];

/**
 * Real stores for the sub-millisecond range (SQLite embedded, PostgreSQL over TCP), then delays a
 * timer can add accurately: 1, 3 and 10 ms on top of PostgreSQL.
 */
const DEFAULT_DISTANCES = "sqlite,postgres,postgres+1,postgres+3,postgres+10";

/**
 * The one place where the map's defaults live. 5 distances × 4 modes × 6 rounds of 3 s after a
 * 1 s warm-up, a fresh server each: about 11 minutes on a 2-core machine.
 */
export const MAP_DEFAULTS: Readonly<MapCommandOptions> = Object.freeze({
  distances: parseDistances(DEFAULT_DISTANCES),
  // The cache modes: each JWT mode is one more arm per distance, asked for by name.
  modes: [...CACHE_MODES],
  connections: 10,
  duration: 3,
  warmup: 1,
  runs: 6,
  users: 100,
  cacheTtl: SERVER.cacheTtl,
  rate: null,
  capacity: false,
  sloP99Ms: 5,
  coldStart: false,
  quick: false,
  redisUrl: SERVER.redisUrl,
  databaseUrl: SERVER.databaseUrl,
  out: "reports",
  json: false,
});

/** --quick: every point once more than a smoke test needs, in about a minute. */
const QUICK = { duration: 1, warmup: 1, runs: 2 } as const;

/** "postgres+3": a real store and the delay added to its reads. */
export function parseDistance(raw: string): Distance {
  const [store = "", added = "0", ...rest] = raw.trim().split("+");
  if (!MAP_STORES.includes(store as MapStore) || rest.length > 0) {
    throw configInvalid(
      `--distances: ${JSON.stringify(raw)} is not a distance; give ${MAP_STORES.join(" or ")}, optionally +N ms (e.g. postgres+3)`,
    );
  }
  const addedMs = Number(added);
  const bad = SERVER_OPTIONS.originLatencyMs.check?.(addedMs);
  if (bad) throw configInvalid(`--distances: ${raw}: the added delay ${bad}`);
  return { label: raw.trim(), store: store as MapStore, addedMs };
}

function parseDistances(raw: string): Distance[] {
  const distances = list(raw).map(parseDistance);
  const labels = distances.map((d) => d.label);
  if (new Set(labels).size !== labels.length) {
    throw configInvalid("--distances: each distance once");
  }
  return distances;
}

const showDistances = (distances: Distance[]) => distances.map((d) => d.label).join(",");

export const MAP_OPTIONS: OptionTable<MapCommandOptions> = {
  distances: {
    flag: "distances",
    help: "comma-separated store distances: sqlite or postgres, each optionally +N ms added to every read (N ≥ 1: a timer cannot add less accurately)",
    parse: parseDistances,
    check: (value) => (value.length >= 2 ? undefined : "must name at least two distances"),
    show: showDistances,
  },
  modes: {
    flag: "modes",
    help: `comma-separated modes, of ${MAP_MODES.join(",")} (${JWT_ALIAS_HELP}); none always runs, as what the others are compared with`,
    parse: modeList<LoadMode>(),
    check: subsetOf<LoadMode>(MAP_MODES, MAP_MODES),
  },
  connections: passedOn(
    LOAD_OPTIONS.connections,
    "concurrent connections of the closed loop: the throughput it measures depends on it",
  ),

  duration: passedOn(LOAD_OPTIONS.duration, "seconds measured per run"),

  warmup: passedOn(LOAD_OPTIONS.warmup, "seconds of load thrown away before each measured run"),

  runs: passedOn(
    LOAD_OPTIONS.runs,
    "measured runs per mode and distance, interleaved across the modes",
  ),

  users: passedOn(LOAD_OPTIONS.users, "logged-in users whose tokens the load rotates over"),

  cacheTtl: passedOn(
    SERVER_OPTIONS.cacheTtl,
    "cache entry lifetime in seconds (memory's revocation bound)",
  ),
  rate: passedOn(
    LOAD_OPTIONS.rate,
    "also an open loop at this offered rate (req/s) per distance: p99 response time against none",
  ),

  capacity: passedOn(
    LOAD_OPTIONS.capacity,
    "also each mode's capacity at the SLO per distance (an open-loop search): capacity against none",
  ),
  sloP99Ms: passedOn(
    LOAD_OPTIONS.sloP99Ms,
    "--capacity: the SLO, p99 response time in ms with nothing dropped",
  ),
  coldStart: {
    flag: "cold-start",
    boolean: true,
    help: "also the cold-start scenario at every distance (each cache mode with single-flight on and off): how fast each cache settles",
    parse: flagOn,
  },
  quick: {
    flag: "quick",
    boolean: true,
    help: `smoke run: ${QUICK.duration}s runs, ${QUICK.warmup}s warm-up, ${QUICK.runs} runs per mode and distance`,
    parse: flagOn,
  },
  redisUrl: redisUrlOption(REDIS_MODES_HELP),
  databaseUrl: databaseUrlOption("PostgreSQL for the postgres distances"),
  out: outOption(),
  json: jsonOption(),
};

export function mapCommandOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): MapCommandOptions {
  const options = parseOptions(MAP_OPTIONS, MAP_DEFAULTS, argv, env);
  const given = givenOptions(MAP_OPTIONS, argv, env);
  if (options.quick) {
    for (const key of ["duration", "warmup", "runs"] as const)
      if (!given.has(key)) options[key] = QUICK[key];
  }
  if (!options.modes.includes("none")) options.modes = ["none", ...options.modes];
  return options;
}

export const mapUsage = (): string => usageText(MAP_OPTIONS, MAP_DEFAULTS, "npm run bench:map --");
