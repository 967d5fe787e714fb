import type { ReadyLine } from "../../lib/ready-line.js";
import type { JwtAlg } from "../../server/auth/jwt-keys.js";
import type { CacheMode } from "../../server/cache/token-cache.js";
import { JWT_MODES, PLAIN_JWT_MODES } from "../../server/modes.js";
import type { StoreKind } from "../../server/store/store.js";
import type { LoadFigures } from "../harness/autocannon-run.js";
import type { ClockFloor } from "../harness/clock-floor.js";
import type { Fault, FaultTimes } from "../harness/fault.js";
import type { LatencyUs } from "../harness/histogram.js";
import type { Arrivals, OpenLoopFigures } from "../harness/open-loop.js";
import type { RssSample } from "../harness/rss-sampler.js";
import type { Scenario } from "../harness/scenarios.js";
import type { ServerSample } from "../harness/server-metrics.js";
import type { ServiceCpu } from "../harness/service-cpu.js";
import type { TargetCpu } from "../harness/target-cpu.js";
import type { Target } from "../harness/targets.js";
import type { TimelineBin } from "../harness/timeline.js";
import type { OtherLoad } from "../report/process-cpu.js";
import type { Provenance } from "../report/provenance.js";
import type { BenchmarkStatus } from "../report/record.js";
import type { Comparison, Summary } from "../stats/index.js";

/**
 * The results file of `npm run bench` (reports/<folder>/results.json). Every view (terminal,
 * Markdown, HTML) is rendered from this alone. Bump LOAD_SCHEMA_VERSION on any breaking change.
 */
export const LOAD_SCHEMA = "auth-cache-bench/load";
/**
 * 2 added the login-flood scenario: runs' variant and flood, options.flood*, floods.
 * 3 added the open loop: options rate, capacity, sloP99Ms, arrivals, maxInFlight; runs' openLoop
 * and capacity; summaries' openLoop and capacity.
 * 4 added whole-system CPU and what the cache holds: runs' system and cache, server.requests and
 * server.cacheLocalEntries; entryWeights; summaries' systemCpuUsPerRequest, cacheEntries and
 * cacheBytes; the server's single-flight and TTL jitter in runs' settings; server's
 * sessionLookupMs and addedDelayMs (the store's measured distance); the cold-start and expiry
 * scenarios: runs' timeline, stampedes.
 * 5 added A/B runs: runs' version, versions; options.serverArgs.
 * 6 added the JWT modes: options.jwtAlg and jwtVersionCache; runs' settings.jwt; revocation.
 * 7 added a Redis Cluster as the shared cache: options.redisCluster.
 * 8 added faults: options.fault, runs' fault, timeline bins' non2xx, faults.
 * 9 added the generator's host name to the provenance (provenance.machine.hostname).
 * 10 added several named targets: options.targets and reference instead of target, runs' targetCpu;
 * summaries' comparisons against the baseline (none, or the reference target), vsBaseline for
 * vsNone.
 */
export const LOAD_SCHEMA_VERSION = 10;

/**
 * `ceiling` is the route with authentication off; the JWT modes are the stateless opponents of the
 * cache modes. A target's runs carry its name as their mode.
 */
export const LOAD_MODES = [
  "ceiling",
  "none",
  "memory",
  "redis",
  "tiered",
  ...JWT_MODES,
  "ceiling-unrecorded",
] as const;
/**
 * The ceiling without the harness's own latency histogram: its "× ceiling" is what recording every
 * response costs the load generator.
 */
export const UNRECORDED = "ceiling-unrecorded";
export type BuiltinMode = (typeof LOAD_MODES)[number];
/** A mode, or the name of a target (the `& {}` keeps the modes' names in an editor's completion). */
export type LoadMode = BuiltinMode | (string & {});
/** The modes that cache no token: what the cache modes are compared with, never subjects. */
export const NO_CACHE: ReadonlySet<LoadMode> = new Set(["ceiling", "ceiling-unrecorded", "none"]);
/**
 * Modes with no cache to fill or expire, which a stampede scenario runs once: the baselines, and
 * the JWT modes that look nothing up through a cache (jwt-version's versions are cached).
 */
export const NOTHING_CACHED: ReadonlySet<LoadMode> = new Set([
  ...NO_CACHE,
  ...PLAIN_JWT_MODES,
  "jwt-denylist",
]);

export interface LoadOptions {
  modes: LoadMode[];
  store: StoreKind;
  scenario: Scenario;
  connections: number;
  /** Seconds measured per run. */
  duration: number;
  /** Seconds of load thrown away before each measured run, on the same server process. */
  warmup: number;
  runs: number;
  users: number;
  originLatencyMs: number;
  cacheTtl: number;
  cacheMax: number;
  quick: boolean;
  /** Servers the benchmark does not start, benchmarked instead of modes; empty: modes. */
  targets: Target[];
  /** The target the others are compared with (the first when null). */
  reference: string | null;
  /** With targets: the users to log in. */
  credentials: string | null;
  redisUrl: string;
  /** A Redis Cluster's seed nodes instead of redisUrl; empty: one Redis. */
  redisCluster: string[];
  /** Our own Redis stopped during every measured run of the modes that use it; null: none. */
  fault: Fault | null;
  databaseUrl: string;
  out: string;
  /** Seeds each round's order of the modes; the results hold the one used (drawn when null). */
  orderSeed: number | null;
  /** login-flood: connections of the flood generator, and its rate (0: as fast as they go). */
  floodConnections: number;
  floodRate: number;
  /** Open loop at this offered rate (req/s) instead of the closed loop; null: closed loop. */
  rate: number | null;
  /** Each mode's capacity at the SLO, searched for in every round. */
  capacity: boolean;
  /** The SLO of --capacity: p99 response time at most this, with nothing dropped. */
  sloP99Ms: number;
  arrivals: Arrivals;
  /** The open loop's backlog at most (queued and in flight); null: one second of traffic. */
  maxInFlight: number | null;
  /**
   * on: the generator on CPU 0 and the servers on the others (taskset); both: pinned and unpinned
   * as two arms of every mode, interleaved, to measure what pinning does; off: neither.
   */
  pinCpus: PinCpus;
  /** Extra flags for every server the benchmark starts (a known cost to calibrate with, say). */
  serverArgs: string[];
  /** The algorithm of jwt-denylist and jwt-version; plain JWTs run at each, as modes of their own. */
  jwtAlg: JwtAlg;
  /** The cache jwt-version looks token versions up through. */
  jwtVersionCache: CacheMode;
}

export const PIN_CPUS = ["off", "on", "both"] as const;
export type PinCpus = (typeof PIN_CPUS)[number];

/** How a results file measured: closed loop (autocannon), open loop at a rate, or capacity. */
export type Loop = "closed" | "open" | "capacity";
export const loopOf = ({ rate, capacity }: Pick<LoadOptions, "rate" | "capacity">): Loop =>
  capacity ? "capacity" : rate !== null ? "open" : "closed";

/** Whole-system CPU of one run: the server, and each service on its request path. */
export interface SystemCpu {
  services: ServiceCpu[];
  /** Server plus services, per request; null when a service's CPU could not be read. */
  cpuUsPerRequest: number | null;
}

/** A cache's entries at the end of a run, where they live. */
export interface CacheHeld {
  /** In the server's own memory (tombstones included), from its /metrics; null: not exposed. */
  localEntries: number | null;
  /** The run's keys in Redis and the bytes its MEMORY USAGE gives them; null without a Redis tier. */
  redis: { entries: number; bytes: number } | null;
}

export type RunStatus = "ok" | "invalid" | "failed";

/**
 * The arms of the login-flood scenario, for each mode: the read path alone (`baseline`), under a
 * flood of wrong-password logins with the login limits on (`flood`), and with them off.
 */
export const FLOOD_VARIANTS = ["baseline", "flood", "flood-unlimited"] as const;
export type FloodVariant = (typeof FLOOD_VARIANTS)[number];

/**
 * The arms of the cold-start and expiry scenarios, for each cache mode: the server as shipped
 * (first), and with its defence against a stampede off: single-flight when a cold cache fills,
 * TTL jitter when entries filled together expire together.
 */
export const STAMPEDE_VARIANTS = {
  "cold-start": ["single-flight on", "single-flight off"],
  expiry: ["jitter on", "jitter off"],
} as const;
export type StampedeVariant = (typeof STAMPEDE_VARIANTS)[keyof typeof STAMPEDE_VARIANTS][number];
export type Variant = FloodVariant | StampedeVariant;

/** In an A/B run (npm run bench:ab), which version of the server an arm ran. */
export const VERSION_NAMES = ["base", "candidate"] as const;
export type VersionName = (typeof VERSION_NAMES)[number];

/** One version of the server in an A/B run, as it was started. */
export interface VersionInfo {
  name: VersionName;
  /** What the user named: a git ref, a folder, or the working tree. */
  source: string;
  /** The commit it was built from (with "(dirty)" for a working tree with changes); null: unknown. */
  commit: string | null;
  /** Flags the harness passes that this version's --help does not list: its servers ran without them. */
  droppedFlags: string[];
  /** Flags given to this version's servers only (--base-server-args, --candidate-server-args). */
  extraArgs: string[];
}

/** What the flood generator saw: its statuses and the login path's latency. */
export type FloodFigures = Omit<LoadFigures, "generator">;

/**
 * What an open-loop run measured besides the figures every run has, and what a bare spin lost to
 * the rest of the machine right before it (the floor under its schedule lag).
 */
export type OpenLoopDetail = Omit<OpenLoopFigures, keyof LoadFigures> & { clockFloor: ClockFloor };

/** One step of a capacity search, as kept in the results: enough to draw its curve. */
export interface CapacityStepFigures {
  rate: number;
  passed: boolean;
  achievedRps: number;
  dropped: number;
  saturated: boolean;
  unexpected: number;
  responseUs: LatencyUs | null;
  serviceP99Us: number | null;
  lagP99Us: number | null;
  generatorCoreShare: number;
  generatorCpuUsPerRequest: number | null;
}

/** One mode's capacity search in one round. */
export interface CapacityDetail {
  sloP99Ms: number;
  /** The highest offered rate that held the SLO; 0 when none did. */
  capacity: number;
  /** The lowest that broke it; null when none did within the steps. */
  brokenAt: number | null;
  steps: CapacityStepFigures[];
  /** What a bare spin lost to the rest of the machine right before the search. */
  clockFloor: ClockFloor;
}

export type ServerSettings = Pick<
  ReadyLine,
  "loginLimits" | "hashConcurrency" | "hashQueue" | "injectCpuUs" | "coalesce" | "cacheTtlJitter"
> & {
  /** With JWTs: the algorithm, revocation and verification cache the server ran; null: opaque. */
  jwt: NonNullable<ReadyLine["jwt"]> | null;
};

export interface RunResult extends LoadFigures {
  mode: LoadMode;
  /** 1-based; runs of one round are interleaved across modes. */
  round: number;
  status: RunStatus;
  /** Why a run is invalid or failed; empty for ok runs. */
  reasons: string[];
  startedAt: string;
  server: ServerSample | null;
  /** A target's CPU from its metrics or its local process; null: not measured, or not a target. */
  targetCpu: TargetCpu | null;
  /** The server's CPU with that of the local services on its request path; null for a target. */
  system: SystemCpu | null;
  /** What the cache held at the end of the window; null without our /metrics and in v3 files. */
  cache: CacheHeld | null;
  /** Fraction of all the machine's cores busy during the window (server, generator and the rest). */
  machineBusyShare: number | null;
  /**
   * What processes outside the benchmark (neither the harness, its servers, nor Redis or
   * PostgreSQL) used during the window; null where processes cannot be read, and in v2 files.
   */
  otherLoad: OtherLoad | null;
  /** The local server's resident memory sampled through the window; null for a target, in v2. */
  rss: RssSample | null;
  /** The login-flood or stampede arm of this run; null in every other scenario. */
  variant: Variant | null;
  /** --pin-cpus both: whether this run's arm was pinned; null otherwise. */
  pinned: boolean | null;
  /** In an A/B run, the version of the server this run measured; null otherwise. */
  version: VersionName | null;
  /** The flood sent beside the measured reads, for the flood arms. */
  flood: FloodFigures | null;
  /** Settings the server's ready line stated that change what a run measures; null for a target. */
  settings: ServerSettings | null;
  /**
   * --rate: the open loop's own figures (the run's latencyUs is then the response time, from
   * the planned send). Null in closed-loop runs.
   */
  openLoop: OpenLoopDetail | null;
  /**
   * --capacity: the search; the run's own figures are then those of the closed-loop run that
   * warmed the server and gave the search its first rate.
   */
  capacity: CapacityDetail | null;
  /** cold-start and expiry, and --fault: the run in 100 ms bins from its start; null otherwise. */
  timeline: TimelineBin[] | null;
  /** --fault: when Redis was really stopped and started again in this run; null otherwise. */
  fault: FaultTimes | null;
}

export interface ModeSummary {
  mode: LoadMode;
  validRuns: number;
  totalRuns: number;
  rps: Summary | null;
  latencyUs: { p50: Summary; p90: Summary; p99: Summary; p999: Summary } | null;
  serverCpuUsPerRequest: Summary | null;
  /** Each run's sampled median RSS (its end-of-run reading in files without samples), and peak. */
  rssBytes: Summary | null;
  rssPeakBytes: Summary | null;
  hitRatio: Summary | null;
  storeLookupsPerRequest: Summary | null;
  /** A session lookup's mean time (the store's measured distance), and the delay really added. */
  sessionLookupMs: Summary | null;
  addedDelayMs: Summary | null;
  /** The server's CPU with that of the local services on its request path, per request. */
  systemCpuUsPerRequest: Summary | null;
  /** Entries the cache held at the end of each run (memory and Redis), and their bytes. */
  cacheEntries: Summary | null;
  cacheBytes: Summary | null;
  eventLoopDelayP99Ms: Summary | null;
  generatorCoreShare: Summary | null;
  /** Throughput of this mode relative to the ceiling and to the baseline, over paired rounds. */
  vsCeiling: Comparison | null;
  vsBaseline: Comparison | null;
  saturatedRuns: number;
  openLoop: OpenLoopSummary | null;
  capacity: CapacitySummary | null;
}

/** --rate: one mode at the common offered rate. */
export interface OpenLoopSummary {
  offeredRate: number;
  achievedRps: Summary | null;
  serviceP99Us: Summary | null;
  lagP99Us: Summary | null;
  dropped: number;
  /** Valid runs past the mode's capacity: dropped, unfinished or < 95% of the rate completed. */
  saturatedRuns: number;
  /** Valid runs whose schedule lag p99 exceeded 100 µs. */
  lateRuns: number;
  generatorCpuUsPerRequest: Summary | null;
  /** Response-time percentiles against the baseline's (and the ceiling's) at the same rate, paired. */
  p50VsBaseline: Comparison | null;
  p99VsBaseline: Comparison | null;
  p99VsCeiling: Comparison | null;
}

/** --capacity: one mode's capacity at the SLO over the rounds. */
export interface CapacitySummary {
  sloP99Ms: number;
  capacity: Summary | null;
  vsBaseline: Comparison | null;
  vsCeiling: Comparison | null;
  /** Steps measured over all rounds. */
  steps: number;
  /** The highest step rate at which the generator's schedule lag p99 stayed within 100 µs. */
  generatorOnTimeUpTo: number | null;
}

export interface LoadResults {
  schema: typeof LOAD_SCHEMA;
  version: typeof LOAD_SCHEMA_VERSION;
  status: BenchmarkStatus;
  options: LoadOptions;
  provenance: Provenance;
  /** Modes that could not run at all (a service missing), with why. */
  skipped: { mode: LoadMode; reason: string }[];
  runs: RunResult[];
  /** Of the runs without a flood; every table, claim and gate compares these. */
  summaries: ModeSummary[];
  /** login-flood: each flood arm against its mode's baseline; empty in other scenarios. */
  floods: FloodSummary[];
  /** --pin-cpus both: what pinning changed, per mode; empty otherwise. */
  pinning: PinningSummary[];
  /** cold-start and expiry: each arm's timeline, summarized; empty otherwise. */
  stampedes: StampedeSummary[];
  /** --fault: what each mode lost while Redis was down, and how it came back; empty otherwise. */
  faults: FaultSummary[];
  /** What an in-process cache entry weighs, from the newest micro report; null when none. */
  entryWeights: EntryWeights | null;
  /** An A/B run's two versions of the server; empty otherwise. */
  versions: VersionInfo[];
  /** What the newest revocation report of the same store measured, for the JWT claim; null: none. */
  revocation: RevocationReference | null;
}

/** What a revocation report measured of each mode, as the load and map reports read it. */
export interface RevocationReference {
  folder: string;
  /** Seconds its opaque caches kept an entry, and its JWTs lived (null: before it set one). */
  cacheTtl: number;
  tokenTtl: number | null;
  modes: Record<
    string,
    {
      /** The longest a revoked token was accepted after its revocation, on any instance. */
      exposureMs: number | null;
      /** Whether any instance refused a revoked token before it expired; null: not a JWT. */
      revokedBeforeExpiry: boolean | null;
    }
  >;
}

/** What the load benchmark reads from other kinds' newest reports before it runs. */
export interface LoadReadings {
  entryWeights: EntryWeights | null;
  revocation: RevocationReference | null;
}

/**
 * Bytes of the memory cache (and of tiered's near tier), as `npm run bench:micro` weighed them:
 * per entry, and per slot of its bound, which the LRU allocates up front.
 */
export interface EntryWeights {
  /** The micro report they come from. */
  folder: string;
  bytesPerEntry: number;
  bytesPerSlot: number;
}

/** --fault: one mode's runs before, while and after Redis was down, from their 100 ms bins. */
export interface FaultSummary {
  mode: LoadMode;
  validRuns: number;
  /** Answers per second before the stop, while Redis was down, and after its restart. */
  rpsBefore: Summary | null;
  rpsDuring: Summary | null;
  rpsAfter: Summary | null;
  /** Answers outside 2xx while Redis was down, over every run. */
  non2xxDuring: number;
  storeLookupsPerSecondDuring: Summary | null;
  /** The slowest 100 ms bin's p99 while Redis was down. */
  worstP99UsDuring: Summary | null;
  /** From the restart to the first bin back at 98% of the hit ratio before the stop. */
  backToSteadyMs: Summary | null;
}

/** One arm of a cold-start or expiry scenario over its runs. */
export interface StampedeSummary {
  mode: LoadMode;
  /** null for a mode without a cache, which runs once. */
  variant: StampedeVariant | null;
  validRuns: number;
  /** The hit ratio of the run's last quarter: where the cache settles. */
  steadyHitRatio: Summary | null;
  /** From the first request to the first bin at 98% of the steady hit ratio. */
  timeToSteadyMs: Summary | null;
  /** The store's busiest bin, lookups per second, and its median bin: the stampede's height. */
  peakLookupsPerSecond: Summary | null;
  medianLookupsPerSecond: Summary | null;
  /** The slowest bin's p99. */
  worstBinP99Us: Summary | null;
}

/** One mode pinned and unpinned, each arm against its own baseline, and against each other. */
export interface PinningSummary {
  mode: LoadMode;
  /** Throughput pinned ÷ unpinned, paired by round. */
  pinnedVsUnpinned: Comparison | null;
  /** The mode against the baseline in each arm: does pinning narrow the rounds' spread, or move it? */
  vsBaselinePinned: Comparison | null;
  vsBaselineUnpinned: Comparison | null;
}

export interface FloodSummary {
  mode: LoadMode;
  variant: Exclude<FloodVariant, "baseline">;
  validRuns: number;
  totalRuns: number;
  /** The read path under the flood, and as a ratio to the same mode's baseline of the same round. */
  rps: Summary | null;
  rpsVsBaseline: Comparison | null;
  p99Us: Summary | null;
  p99VsBaseline: Comparison | null;
  serverCpuUsPerRequest: Summary | null;
  /** The flood itself: logins per second, each status per second, the login path's latency. */
  loginsPerSecond: Summary | null;
  statusesPerSecond: Record<string, Summary>;
  loginP50Us: Summary | null;
  loginP99Us: Summary | null;
}

/**
 * What every other mode is compared with: `none`, which asks the store on every request; with
 * targets, the reference target (the first unless --reference names another).
 */
/** What a results file benchmarked, in a few words: our server on its store, or the targets. */
export const benchmarked = ({ targets, store }: Pick<LoadOptions, "targets" | "store">): string =>
  targets.length === 0
    ? `${store} store`
    : `${targets.length === 1 ? "target" : "targets"} ${targets.map((t) => `${t.name} (${t.url})`).join(", ")}`;

export const baselineOf = ({ targets, reference }: Pick<LoadOptions, "targets" | "reference">) =>
  targets.length > 0 ? (reference ?? (targets[0] as Target).name) : "none";
