import type { GateResult } from "../compare/compare-results.js";
import type { MetricId } from "../compare/metrics.js";
import type { LoadMode, VersionInfo } from "../load/index.js";
import type { Provenance } from "../report/provenance.js";
import type { BenchmarkStatus } from "../report/record.js";

/**
 * The results file of `npm run bench:ab` (reports/<folder>/results.json): two versions of the
 * server as arms of one load benchmark, kept whole under load/, and the gate over their pairs.
 * Bump AB_SCHEMA_VERSION on any breaking change. 2 added the host name to the provenance
 * (provenance.machine.hostname).
 */
export const AB_SCHEMA = "auth-cache-bench/ab";
export const AB_SCHEMA_VERSION = 2;

export interface AbOptions {
  /** A git ref or a folder holding a built checkout. */
  base: string;
  /** The same, or null for this working tree. */
  candidate: string | null;
  /** Flags for both versions' servers; a version whose server lacks one runs without it. */
  serverArgs: string[];
  baseServerArgs: string[];
  candidateServerArgs: string[];
  modes: LoadMode[];
  store: "sqlite" | "postgres";
  connections: number;
  duration: number;
  warmup: number;
  /** Rounds: each runs every (mode, version) arm once, in a seeded random order. */
  runs: number;
  users: number;
  /** Open loop at this offered rate: response time at a fixed traffic level; null: closed loop. */
  rate: number | null;
  /** Each arm's capacity at the SLO per round (an open-loop search). */
  capacity: boolean;
  sloP99Ms: number;
  threshold: number;
  alpha: number;
  metrics: MetricId[];
  orderSeed: number | null;
  redisUrl: string;
  databaseUrl: string;
  out: string;
}

export interface AbResults {
  schema: typeof AB_SCHEMA;
  version: typeof AB_SCHEMA_VERSION;
  status: BenchmarkStatus;
  options: AbOptions;
  provenance: Provenance;
  /** Each version as it was started: its commit, flags its server lacked, flags of its own. */
  versions: VersionInfo[];
  /** The load benchmark that ran both versions' arms, relative to this folder; null before it ran. */
  load: string | null;
  /** Each mode and metric, candidate against base over paired rounds; null when nothing ran. */
  gate: GateResult | null;
}
