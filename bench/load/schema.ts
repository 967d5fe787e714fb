import type { StoreKind } from "../../server/store/store.js";
import type { LoadFigures } from "../harness/autocannon-run.js";
import type { Scenario } from "../harness/scenarios.js";
import type { ServerSample } from "../harness/server-metrics.js";
import type { Provenance } from "../report/provenance.js";
import type { BenchmarkStatus } from "../report/record.js";
import type { Comparison, Summary } from "../stats/index.js";

/**
 * The results file of `npm run bench` (reports/<folder>/results.json). Every view (terminal,
 * Markdown, HTML) is rendered from this alone. Bump LOAD_SCHEMA_VERSION on any breaking change.
 */
export const LOAD_SCHEMA = "auth-cache-bench/load";
export const LOAD_SCHEMA_VERSION = 1;

/** `ceiling` is the route with authentication off; `target` an external server. */
export const LOAD_MODES = [
  "ceiling",
  "none",
  "memory",
  "redis",
  "tiered",
  "ceiling-unrecorded",
] as const;
/**
 * The ceiling without the harness's own latency histogram: its "× ceiling" is what recording every
 * response costs the load generator.
 */
export const UNRECORDED = "ceiling-unrecorded";
export type LoadMode = (typeof LOAD_MODES)[number] | "target";

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
  target: string | null;
  credentials: string | null;
  redisUrl: string;
  databaseUrl: string;
  out: string;
}

/** From the server's /metrics, scraped right before and right after the measured window. */
/** The load generator runs in the harness process and shares the machine with the server. */
export type RunStatus = "ok" | "invalid" | "failed";

/** What one autocannon run measured from the generator's side. */
export interface RunResult extends LoadFigures {
  mode: LoadMode;
  /** 1-based; runs of one round are interleaved across modes. */
  round: number;
  status: RunStatus;
  /** Why a run is invalid or failed; empty for ok runs. */
  reasons: string[];
  startedAt: string;
  server: ServerSample | null;
  /** Fraction of all the machine's cores busy during the window (server, generator and the rest). */
  machineBusyShare: number | null;
}

export interface ModeSummary {
  mode: LoadMode;
  validRuns: number;
  totalRuns: number;
  rps: Summary | null;
  latencyUs: { p50: Summary; p90: Summary; p99: Summary; p999: Summary } | null;
  serverCpuUsPerRequest: Summary | null;
  rssBytes: Summary | null;
  hitRatio: Summary | null;
  storeLookupsPerRequest: Summary | null;
  eventLoopDelayP99Ms: Summary | null;
  generatorCoreShare: Summary | null;
  /** Throughput of this mode relative to the ceiling and to `none`, over paired rounds. */
  vsCeiling: Comparison | null;
  vsNone: Comparison | null;
  /** Coefficient of variation of throughput above the limit: too noisy to conclude. */
  spreadTooWide: boolean;
  saturatedRuns: number;
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
  summaries: ModeSummary[];
}
