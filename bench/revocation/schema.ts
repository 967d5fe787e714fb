import type { JwtAlg } from "../../server/auth/jwt-keys.js";
import { CACHE_MODES, type CacheMode } from "../../server/cache/token-cache.js";
import { JWT_MODES } from "../../server/modes.js";
import type { StoreKind } from "../../server/store/store.js";
import type { ApiDescription } from "../harness/api-description.js";
import type { Provenance } from "../report/provenance.js";
import type { BenchmarkStatus } from "../report/record.js";
import type { RaceCount } from "./probe.js";

export const REVOCATION_SCHEMA = "auth-cache-bench/revocation";
/**
 * 2 added each probe's exposure and resurrections, and the resurrection window.
 * 3 split each race by role (revoking, other) with its exposure and resurrections, and made the
 * background load an offered rate (options.loadRate; background's offeredRate and p99).
 * 4 added the JWT modes: options tokenTtl, jwtAlg, jwtVersionCache; each probe's
 * refusedBeforeExpiry and each summary's revokedBeforeExpiry.
 * 5 added a Redis Cluster as the shared cache: options.redisCluster.
 * 6 added the host name to the provenance (provenance.machine.hostname).
 * 7 added instances the benchmark does not start: options probes, api, credentials, promiseMs;
 * their runs' mode is "target".
 */
export const REVOCATION_SCHEMA_VERSION = 7;

export const REVOCATION_MODES = [...CACHE_MODES, ...JWT_MODES] as const;
/** A mode of our server, or `target`: the instances of --probe, which the user started. */
export type RevocationMode = (typeof REVOCATION_MODES)[number] | "target";
export const PROBED_TARGET = "target" as const;
export const EVENTS = ["logout", "password"] as const;
export type RevocationEvent = (typeof EVENTS)[number];

export interface RevocationOptions {
  modes: RevocationMode[];
  instances: number;
  events: RevocationEvent[];
  trials: number;
  raceTrials: number;
  raceConnections: number;
  intervalMs: number;
  cacheTtl: number;
  localCacheTtl: number;
  /** Background load during the trials, req/s over all instances (0: none). */
  loadRate: number;
  /** The most connections the background load holds per instance. */
  loadConnections: number;
  /** How long probing goes on after the first 401, to see a token come back. */
  resurrectionWindowMs: number;
  /** Extra flags for every server, after the benchmark's own (e.g. to break a mode on purpose). */
  serverArgs: string[];
  /** Seconds a JWT mode's probed tokens live: plain JWTs are accepted until then. */
  tokenTtl: number;
  /** The algorithm of jwt-denylist and jwt-version, and the cache jwt-version asks through. */
  jwtAlg: JwtAlg;
  jwtVersionCache: CacheMode;
  store: StoreKind;
  redisUrl: string;
  /** A Redis Cluster's seed nodes instead of redisUrl; empty: one Redis. */
  redisCluster: string[];
  databaseUrl: string;
  out: string;
  /** Instances of the user's deployment, probed instead of modes; empty: our modes. */
  probes: string[];
  /** How the probed instances log in, check a token, log out and change a password; null: ours. */
  api: ApiDescription | null;
  /** With probes: the users to log in, as {"name": {"password": "..."}}. */
  credentials: string | null;
  /** With probes: how long the deployment promises a revoked token may still be accepted, ms. */
  promiseMs: number;
}

/** One instance's view of one revocation. */
export interface InstanceProbe {
  instance: number;
  revoking: boolean;
  /** Revocation response → the sending of the first probe answered 401; null: not within the bound. */
  lagMs: number | null;
  /** Probes sent after the revocation response that were answered 2xx. */
  staleAccepts: number;
  probes: number;
  /** Revocation response → sending of the last accepted probe, ms; null in version 1 files. */
  exposureMs: number | null;
  /** Accepted again after a 401 within the resurrection window; null in version 1 files. */
  resurrections: number | null;
  /** A JWT's first 401 came before the token expired; null: an opaque token, or never refused. */
  refusedBeforeExpiry: boolean | null;
}

export interface Trial {
  mode: RevocationMode;
  event: RevocationEvent;
  trial: number;
  revokingInstance: number;
  /** How long the revocation request itself took. */
  revokeMs: number;
  instances: InstanceProbe[];
}

/** What the racing connections of one role saw after the revocation response. */
export type { RaceCount } from "./probe.js";

/** Many connections hammer one token while it is revoked, on every instance. */
export interface Race {
  mode: RevocationMode;
  event: RevocationEvent;
  trial: number;
  /** Version 3: by the role of the instance each request went to. */
  revoking: RaceCount;
  other: RaceCount;
}

export interface LagSummary {
  mode: RevocationMode;
  event: RevocationEvent;
  role: "revoking" | "other";
  samples: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  staleAccepts: number;
  /** The longest exposure of any probed instance, ms; null where it was not measured. */
  exposureMaxMs: number | null;
  resurrections: number;
  /** Probes never answered 401 within the bound: a correctness failure, not a slow result. */
  unrevoked: number;
  /** What the design promises, in ms: 0, the message delivery, or the cache TTL. */
  boundMs: number;
  boundNote: string;
  /** How the mode broke its promise here, or null: kept, or not measured (version 1 files). */
  brokenPromise: string | null;
  /** JWT modes: probes whose token was refused before it expired; null for opaque tokens. */
  revokedBeforeExpiry: number | null;
  raceStale: number;
  raceRequests: number;
}

export interface RevocationResults {
  schema: typeof REVOCATION_SCHEMA;
  version: typeof REVOCATION_SCHEMA_VERSION;
  status: BenchmarkStatus;
  options: RevocationOptions;
  provenance: Provenance;
  skipped: { mode: RevocationMode; reason: string }[];
  /** Background load kept on the instances during the trials, per mode (all instances). */
  background: {
    mode: RevocationMode;
    /** Offered req/s (open loop); null in version 2 files, whose load was a closed loop. */
    offeredRate: number | null;
    rps: number;
    unexpected: number;
    /** The background's p99 response time, µs; null in version 2 files. */
    p99Us: number | null;
  }[];
  trials: Trial[];
  races: Race[];
  summaries: LagSummary[];
  /** Throughput from the latest load report of the same store, beside each mode's lag. */
  lagVsThroughput: { mode: RevocationMode; rps: number; lagP99Ms: number | null; report: string }[];
}
