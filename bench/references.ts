import { CACHE_MODES } from "../server/cache/token-cache.js";
import {
  type EntryWeights,
  type LoadResults,
  type RevocationReference,
  readLoadResults,
} from "./load/index.js";
import { type LoadReference, readMicroResults } from "./micro/index.js";
import { newestReport } from "./report/newest.js";
import { readRevocationResults, type ThroughputReference } from "./revocation/index.js";

// What one kind's report shows of another's results. The base kinds never import each other:
// each declares what it wants, and these read it from the load benchmark's public file.

/** The scenarios whose requests are one authenticated read: their CPU per request is comparable. */
const READ_SCENARIOS = new Set(["read", "zipf"]);

function reference(folder: string, results: LoadResults): LoadReference | null {
  const cpu: Record<string, number> = {};
  const hits: Record<string, number> = {};
  for (const summary of results.summaries) {
    if (summary.serverCpuUsPerRequest) cpu[summary.mode] = summary.serverCpuUsPerRequest.median;
    if (summary.hitRatio) hits[summary.mode] = summary.hitRatio.median;
  }
  // A run of the ceiling alone says nothing about any cache mode.
  if (!CACHE_MODES.some((mode) => cpu[mode] !== undefined)) return null;
  return {
    folder,
    createdAt: results.provenance.createdAt,
    scenario: results.options.scenario,
    store: results.options.store,
    originLatencyMs: results.options.originLatencyMs,
    cpuUsPerRequest: cpu,
    hitRatio: hits,
  };
}

/**
 * For the micro benchmark: the newest load report under `out` of a read scenario that measured a
 * cache mode of the reference server, or null.
 */
export const latestLoadReference = (out: string): Promise<LoadReference | null> =>
  newestReport(out, async (file, folder) => {
    const results = await readLoadResults(file);
    if (results.options.targets.length > 0 || !READ_SCENARIOS.has(results.options.scenario)) {
      return null;
    }
    return reference(folder, results);
  });

/** Whether a report ran against the same Redis deployment: one Redis, or the same cluster. */
const sameRedis = (theirs: readonly string[], ours: readonly string[]) =>
  theirs.join() === ours.join();

/**
 * For the revocation benchmark: each mode's throughput in the newest complete load report of
 * `store` and the same Redis (one, or the same cluster).
 */
export const latestThroughput = (
  out: string,
  store: string,
  redisCluster: readonly string[] = [],
): Promise<ThroughputReference | null> =>
  newestReport(out, async (file) => {
    const results = await readLoadResults(file);
    if (results.options.store !== store || results.status !== "complete") return null;
    // A target's figures are its server's, whatever its name: never our modes' reference.
    if (results.options.targets.length > 0) return null;
    if (!sameRedis(results.options.redisCluster, redisCluster)) return null;
    const rps: Record<string, number> = {};
    for (const summary of results.summaries)
      if (summary.rps) rps[summary.mode] = summary.rps.median;
    return { file, rps };
  });

/** For the load benchmark: what a memory-cache entry weighs, from the newest micro report under `out`. */
export const latestEntryWeights = (out: string): Promise<EntryWeights | null> =>
  newestReport(out, async (file, folder) => {
    const results = await readMicroResults(file);
    const memory = results.footprint.find((f) => f.cache === "memory");
    if (!memory || memory.bytesPerSlot === null) return null;
    return { folder, bytesPerEntry: memory.bytesPerEntry, bytesPerSlot: memory.bytesPerSlot };
  });

/**
 * For the load report's JWT claim and the map: each mode's longest revocation exposure on any
 * instance, and whether a JWT was refused before it expired, in the newest complete revocation
 * report of `store`.
 */
export const latestRevocation = (
  out: string,
  store: string,
  redisCluster: readonly string[] = [],
): Promise<RevocationReference | null> =>
  newestReport(out, async (file, folder) => {
    const results = await readRevocationResults(file);
    if (results.options.store !== store || results.status !== "complete") return null;
    // A deployment probed with --probe is the user's, not our modes.
    if (results.options.probes.length > 0) return null;
    if (!sameRedis(results.options.redisCluster, redisCluster)) return null;
    const modes: RevocationReference["modes"] = {};
    for (const summary of results.summaries) {
      const before = modes[summary.mode] ?? { exposureMs: null, revokedBeforeExpiry: null };
      const seen = summary.exposureMaxMs;
      const early = summary.revokedBeforeExpiry;
      modes[summary.mode] = {
        exposureMs: seen === null ? before.exposureMs : Math.max(seen, before.exposureMs ?? seen),
        revokedBeforeExpiry:
          early === null
            ? before.revokedBeforeExpiry
            : early > 0 || before.revokedBeforeExpiry === true,
      };
    }
    const { cacheTtl, tokenTtl } = results.options;
    return { folder, cacheTtl, tokenTtl, modes };
  });
