import type { ScryptCost } from "../../server/auth/password.js";
import type { CacheMode } from "../../server/cache/token-cache.js";
import type { PlainJwtMode } from "../../server/modes.js";
import type { Provenance } from "../report/provenance.js";
import type { BenchmarkStatus } from "../report/record.js";

/**
 * The results file of `npm run bench:micro` (reports/<folder>/results.json). The terminal and
 * Markdown views are rendered from this alone. Bump MICRO_SCHEMA_VERSION on any breaking change.
 */
export const MICRO_SCHEMA = "auth-cache-bench/micro";
/**
 * 2 added the metrics suite; a version 1 file is a valid version 2 file.
 * 3 added the machine's load to the provenance (provenance.machineLoad).
 * 4 added what a cache entry weighs (footprint).
 * 5 added the jwt suite; a version 4 file is a valid version 5 file.
 * 6 added the plain JWT modes' rows to requestCost (path "verify"); a version 5 file is a valid
 * version 6 file.
 * 7 added the host name to the provenance (provenance.machine.hostname).
 */
export const MICRO_SCHEMA_VERSION = 7;

/** In the order they run: the scrypt-heavy suite last, so its heat does not slow the others. */
export const SUITES = [
  "token",
  "cache",
  "store",
  "request",
  "jwt",
  "origin",
  "metrics",
  "password",
] as const;
export type SuiteName = (typeof SUITES)[number];

export interface MicroOptions {
  suites: SuiteName[];
  /** Milliseconds measured per task. */
  time: number;
  /** Milliseconds of warm-up per task, thrown away. */
  warmup: number;
  /** Delay the origin suite adds to every store read. */
  originLatencyMs: number;
  /** scrypt cost of the password suite: the login cost. */
  passwordCost: ScryptCost;
  redisUrl: string;
  databaseUrl: string;
  out: string;
}

/** tinybench's task states: a failed task is data, so one failure never loses the others. */
export type TaskState =
  | "completed"
  | "aborted-with-statistics"
  | "aborted"
  | "errored"
  | "not-started";

/** Latency statistics of one call, in microseconds. */
export interface TaskStats {
  meanUs: number;
  p50Us: number;
  p99Us: number;
  minUs: number;
  maxUs: number;
  sdUs: number;
  /** Relative margin of error of the mean, in percent (95%, Student's t); null when the mean is 0. */
  rmePct: number | null;
  /** Calls per second: 1 / mean, so that it agrees with the mean and adds up like it. */
  opsPerSecond: number;
  samples: number;
  /** samples × batch. */
  calls: number;
}

export interface MicroTask {
  /** Stable, e.g. "redis.get-hit"; the cost of one request names its parts by it. */
  id: string;
  name: string;
  /** Calls timed together as one sample; above 1, percentiles are of batch means. */
  batch: number;
  state: TaskState;
  error: string | null;
  stats: TaskStats | null;
  /** Counters read around the measured phase, per call: Redis commands, cache and store lookups. */
  perCall: Record<string, number>;
}

export interface SuiteBudget {
  timeMs: number;
  minSamples: number;
  warmupMs: number;
  minWarmupSamples: number;
}

export interface SuiteResult {
  name: SuiteName;
  title: string;
  notes: string[];
  budget: SuiteBudget;
  /** tinybench's estimate of one timer reading, subtracted from single-call samples. */
  timerOverheadUs: number;
  tasks: MicroTask[];
}

/** Tasks that did not run: what they measure is not reachable, or their suite failed to start. */
export interface Skipped {
  suite: SuiteName;
  what: string;
  reason: string;
  /** True when something broke rather than being absent: the command then exits 1. */
  failed: boolean;
}

/** A cache mode's paths, or a plain JWT's one: its signature verified, nothing looked up. */
export type RequestPath = "store" | "hit" | "miss" | "verify";

/** One request's token check in one cache mode: its parts added up, beside the whole measured. */
export interface RequestCost {
  mode: CacheMode | PlainJwtMode;
  path: RequestPath;
  /** Task ids, in the order the request runs them. */
  parts: string[];
  /** Sum of the parts' means; null when a part did not complete. */
  partsUs: number | null;
  missing: string[];
  /** Task id of the whole verification. */
  whole: string;
  wholeUs: number | null;
}

/** The memory one cache entry takes, measured by filling a cache built as the server builds it. */
export interface CacheFootprint {
  cache: "memory" | "redis";
  /** Entries filled per measurement. */
  entries: number;
  /** Median over the measurements, and their range. */
  bytesPerEntry: number;
  lowBytes: number;
  highBytes: number;
  /**
   * What the cache takes before any entry, per slot of its bound (--cache-max), measured with
   * `slots` slots; null where nothing is allocated up front (Redis).
   */
  slots: number | null;
  bytesPerSlot: number | null;
  /** How the bytes were read: V8's heap after a full collection, or Redis's MEMORY USAGE. */
  method: string;
}

/** Server CPU per request of the newest load report of a read scenario, for beside the parts. */
export interface LoadReference {
  folder: string;
  createdAt: string;
  scenario: string;
  store: string;
  originLatencyMs: number;
  /** Median over runs, by load mode (ceiling included). */
  cpuUsPerRequest: Record<string, number>;
  hitRatio: Record<string, number>;
}

export interface MicroResults {
  schema: typeof MICRO_SCHEMA;
  version: typeof MICRO_SCHEMA_VERSION;
  status: BenchmarkStatus;
  options: MicroOptions;
  provenance: Provenance;
  /** How the runs were ordered and timed: the report states it. */
  method: {
    /** Every suite runs in this one process, in `order`; see the report's method section. */
    process: "single";
    order: SuiteName[];
    timer: string;
    gcBeforeEachTask: boolean;
  };
  /** The data the suites ran over; all of it is removed at the end. */
  setup: {
    users: number;
    tokensPerUser: number;
    redisKeyPrefix: string | null;
    postgresSchema: string | null;
  };
  suites: SuiteResult[];
  skipped: Skipped[];
  requestCost: RequestCost[];
  /** Empty when the cache suite did not run. */
  footprint: CacheFootprint[];
  loadReference: LoadReference | null;
}
