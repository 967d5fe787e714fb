import type { LoadMode, StampedeVariant } from "../load/index.js";
import type { Provenance } from "../report/provenance.js";
import type { BenchmarkStatus } from "../report/record.js";
import type { Comparison, Summary } from "../stats/index.js";

/**
 * The results file of `npm run bench:map` (reports/<folder>/results.json): one load benchmark per
 * store distance, each kept whole in its own folder under points/, and what the map makes of
 * them. Bump MAP_SCHEMA_VERSION on any breaking change. 2 added the host name to the provenance
 * (provenance.machine.hostname).
 */
export const MAP_SCHEMA = "auth-cache-bench/map";
export const MAP_SCHEMA_VERSION = 2;

export const MAP_STORES = ["sqlite", "postgres"] as const;
export type MapStore = (typeof MAP_STORES)[number];

/** A store distance as asked for: a real store, and a delay added to each of its reads. */
export interface Distance {
  /** As given: "sqlite", "postgres", "postgres+3". */
  label: string;
  store: MapStore;
  addedMs: number;
}

export interface MapOptions {
  distances: Distance[];
  /** Cache modes compared with `none`, which always runs. */
  modes: LoadMode[];
  connections: number;
  duration: number;
  warmup: number;
  runs: number;
  users: number;
  cacheTtl: number;
  /** Open loop at this offered rate as well: p99 response time per point; null: closed loop only. */
  rate: number | null;
  /** Each mode's capacity at the SLO at every distance as well (an open-loop search). */
  capacity: boolean;
  /** --capacity: p99 response time at most this, in ms, with nothing dropped. */
  sloP99Ms: number;
  /** The cold-start scenario at every distance as well: how fast each cache settles. */
  coldStart: boolean;
  quick: boolean;
  redisUrl: string;
  databaseUrl: string;
  out: string;
}

/** How a mode compares with `none` at one distance, on one figure. */
export interface Versus {
  comparison: Comparison | null;
  /** +1 significantly better than none, -1 significantly worse, 0 neither (or not measured). */
  sign: -1 | 0 | 1;
}

/** One mode at one distance. */
export interface MapCell {
  mode: LoadMode;
  validRuns: number;
  totalRuns: number;
  rps: Summary | null;
  serverCpuUsPerRequest: Summary | null;
  systemCpuUsPerRequest: Summary | null;
  hitRatio: Summary | null;
  /** Against none at the same distance, paired by round. */
  throughput: Versus;
  systemCpu: Versus;
  /** --rate: p99 response time at the common offered rate. */
  p99: Versus;
  /** --capacity: capacity at the SLO. */
  capacity: Versus;
}

/** The load benchmarks of one distance. */
export interface PointReports {
  closed: string;
  /** --rate: the open loop at the offered rate. */
  open: string | null;
  /** --capacity: the search for each mode's capacity at the SLO. */
  capacity: string | null;
  /** --cold-start: the cold-start scenario. */
  coldStart: string | null;
}

/** One arm of the cold-start scenario at one distance: how fast its cache settled. */
export interface ColdStartCell {
  mode: LoadMode;
  variant: StampedeVariant | null;
  steadyHitRatio: Summary | null;
  timeToSteadyMs: Summary | null;
  peakLookupsPerSecond: Summary | null;
}

/** One store distance: its load benchmark and what it measured. */
export interface MapPoint {
  distance: Distance;
  /** The load benchmarks' report folders, relative to this map's folder; null where none ran. */
  reports: PointReports | null;
  status: "complete" | "failed" | "skipped";
  /** Why a point failed or was skipped; null otherwise. */
  reason: string | null;
  /**
   * A session lookup's time as none's server measured it (store read and added delay), median
   * over runs: the distance as measured, which the axes use.
   */
  measuredMs: Summary | null;
  /** The delay the servers really added per read, median over none's runs; null when none. */
  addedDelayMs: Summary | null;
  cells: MapCell[];
  /** --cold-start: each arm's fill; empty otherwise. */
  coldStart: ColdStartCell[];
  /** The modes the load benchmark could not run (a service missing), with why. */
  skipped: { mode: LoadMode; reason: string }[];
}

export const MAP_FIGURES = ["throughput", "systemCpu", "p99", "capacity"] as const;
export type MapFigure = (typeof MAP_FIGURES)[number];

/** Where a mode starts to beat `none` on one figure, over the distances measured. */
export type Crossover =
  | { kind: "between"; from: string; to: string }
  | { kind: "wins everywhere" }
  | { kind: "never wins in this range" }
  | { kind: "not located"; why: string };

export interface ModeCrossovers {
  mode: LoadMode;
  figure: MapFigure;
  crossover: Crossover;
}

/** A mode's revocation exposure beside its speed: its promise, and what a revocation run saw. */
export interface Exposure {
  mode: LoadMode;
  /** On the instances that did not serve the revocation, where the modes differ. */
  promisedMs: number;
  promise: string;
  /** The longest exposure the newest revocation report of the same store measured; null: none. */
  measuredMs: number | null;
  /** The cache TTL (s) that revocation run used, which bounds memory's exposure; null: none. */
  measuredCacheTtl: number | null;
  /** That report's folder; null when there is none. */
  report: string | null;
}

export interface MapResults {
  schema: typeof MAP_SCHEMA;
  version: typeof MAP_SCHEMA_VERSION;
  status: BenchmarkStatus;
  options: MapOptions;
  provenance: Provenance;
  points: MapPoint[];
  crossovers: ModeCrossovers[];
  exposure: Exposure[];
}
