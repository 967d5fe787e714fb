import type { CacheMode } from "../../server/cache/token-cache.js";
import { isJwtMode, type JwtMode } from "../../server/modes.js";
import { quantile } from "../stats/index.js";
import type {
  LagSummary,
  RevocationEvent,
  RevocationMode,
  RevocationOptions,
  RevocationResults,
} from "./schema.js";

type BoundOptions = Pick<
  RevocationOptions,
  "cacheTtl" | "localCacheTtl" | "tokenTtl" | "jwtVersionCache" | "promiseMs"
>;

/** What each mode promises for the instance that served the revocation and for the others. */
export function promisedBound(
  mode: RevocationMode,
  role: LagSummary["role"],
  options: BoundOptions,
): { boundMs: number; boundNote: string } {
  if (mode === "target") {
    return { boundMs: options.promiseMs, boundNote: "the deployment's own promise (--promise-ms)" };
  }
  if (isJwtMode(mode)) return jwtBound(mode, role, options);
  if (mode === "memory" && role === "other") {
    return {
      boundMs: options.cacheTtl * 1000,
      boundNote: "the cache TTL: nothing tells the other instances",
    };
  }
  if (mode === "tiered" && role === "other") {
    return {
      boundMs: 0,
      boundNote: `pub/sub delivery; the local TTL (${options.localCacheTtl} s) if a message is missed`,
    };
  }
  const notes: Record<CacheMode, string> = {
    none: "every check asks the store",
    memory: "the revoking instance drops its own entry",
    redis: "the tombstone is written before the response",
    tiered:
      "the revoking instance drops its own entry and the tombstone is written before the response",
  };
  return { boundMs: 0, boundNote: notes[mode] };
}

/**
 * A plain JWT is checked against nothing: it lives until it expires. The denylist is written to
 * Redis before the response and each instance's "not revoked" answers are dropped by pub/sub; a
 * token version is looked up through its cache, whose promise it keeps.
 */
function jwtBound(
  mode: JwtMode,
  role: LagSummary["role"],
  options: BoundOptions,
): { boundMs: number; boundNote: string } {
  if (mode === "jwt-denylist") {
    return role === "revoking"
      ? {
          boundMs: 0,
          boundNote: "the jti or the user's not-before is in Redis before the response",
        }
      : {
          boundMs: 0,
          boundNote: `pub/sub delivery; the local TTL (${options.localCacheTtl} s) if a message is missed`,
        };
  }
  if (mode === "jwt-version") {
    const cache = options.jwtVersionCache;
    const { boundMs, boundNote } = promisedBound(cache, role, options);
    return { boundMs, boundNote: `the version, through ${cache}: ${boundNote}` };
  }
  return {
    boundMs: options.tokenTtl * 1000,
    boundNote: `until it expires (--token-ttl ${options.tokenTtl} s): nothing is looked up`,
  };
}

/** Whether a mode's instances in `role` learn of a revocation by a pub/sub message. */
export const byMessage = (
  mode: RevocationMode,
  role: LagSummary["role"],
  { jwtVersionCache }: Pick<RevocationOptions, "jwtVersionCache">,
): boolean =>
  role === "other" &&
  (mode === "tiered" ||
    mode === "jwt-denylist" ||
    (mode === "jwt-version" && jwtVersionCache === "tiered"));

/** What pub/sub delivery may take before tiered counts as having broken its promise. */
const DELIVERY_MS = 10;

/**
 * The longest exposure a summary's mode may show before its promise counts as broken: its
 * promised bound plus what measuring it costs (a probe sent just before a TTL runs out, and the
 * one that first sees it), or message delivery for tiered's other instances.
 */
function exposureLimitMs(
  { mode, role, boundMs }: Pick<LagSummary, "mode" | "role" | "boundMs">,
  options: RevocationOptions,
): number {
  if (byMessage(mode, role, options)) return DELIVERY_MS;
  return boundMs > 0 ? boundMs + 2 * options.intervalMs : 0;
}

/** How a mode broke what its design promises on one role's instances, or null. */
function brokenPromise(
  summary: Pick<
    LagSummary,
    "mode" | "role" | "boundMs" | "exposureMaxMs" | "resurrections" | "unrevoked"
  >,
  options: RevocationOptions,
): string | null {
  const broken: string[] = [];
  const limit = exposureLimitMs(summary, options);
  if (summary.exposureMaxMs !== null && summary.exposureMaxMs > limit) {
    broken.push(
      `a revoked token was accepted ${summary.exposureMaxMs.toFixed(1)} ms after the revocation, promised at most ${limit} ms`,
    );
  }
  if (summary.resurrections > 0) {
    broken.push(`${summary.resurrections} requests were accepted again after a 401, promised none`);
  }
  if (summary.unrevoked > 0) broken.push(`${summary.unrevoked} probes never got 401`);
  return broken.length > 0 ? broken.join("; ") : null;
}

export function summarizeRevocation(results: RevocationResults): LagSummary[] {
  const summaries: LagSummary[] = [];
  const events = results.options.events as RevocationEvent[];
  for (const mode of results.options.modes) {
    for (const event of events) {
      const trials = results.trials.filter((trial) => trial.mode === mode && trial.event === event);
      if (trials.length === 0) continue;
      const races = results.races.filter((r) => r.mode === mode && r.event === event);
      for (const role of ["revoking", "other"] as const) {
        const probes = trials.flatMap((trial) =>
          trial.instances.filter((probe) => probe.revoking === (role === "revoking")),
        );
        if (probes.length === 0) continue;
        const lags = probes.flatMap((probe) => (probe.lagMs === null ? [] : [probe.lagMs]));
        // The racing connections count too: a request that raced the revocation and was
        // accepted late, or accepted again, breaks a promise as surely as a probe.
        const exposures = [
          ...probes.flatMap((probe) => probe.exposureMs ?? []),
          ...races.map((r) => r[role].exposureMs),
        ];
        const summary = {
          mode,
          event,
          role,
          samples: probes.length,
          p50: lags.length > 0 ? quantile(lags, 0.5) : null,
          p99: lags.length > 0 ? quantile(lags, 0.99) : null,
          max: lags.length > 0 ? Math.max(...lags) : null,
          staleAccepts: probes.reduce((sum, probe) => sum + probe.staleAccepts, 0),
          exposureMaxMs: exposures.length > 0 ? Math.max(...exposures) : null,
          resurrections:
            probes.reduce((sum, probe) => sum + (probe.resurrections ?? 0), 0) +
            races.reduce((sum, r) => sum + r[role].resurrections, 0),
          unrevoked: probes.length - lags.length,
          revokedBeforeExpiry: isJwtMode(mode)
            ? probes.filter((probe) => probe.refusedBeforeExpiry === true).length
            : null,
          ...promisedBound(mode, role, results.options),
          raceStale: races.reduce((sum, r) => sum + r[role].staleAfter, 0),
          raceRequests: races.reduce((sum, r) => sum + r[role].requestsAfter, 0),
        };
        summaries.push({ ...summary, brokenPromise: brokenPromise(summary, results.options) });
      }
    }
  }
  return summaries;
}
