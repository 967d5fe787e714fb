import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { CACHE_MODES } from "../../server/config.js";
import { readResults } from "../report/read.js";
import type { LoadResults } from "../report/schema.js";
import type { LoadReference } from "./schema.js";

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
 * The newest load report under `out` of a read scenario that measured a cache mode of the
 * reference server, or null.
 * Folder names start with their UTC timestamp, so the newest sorts last.
 */
export async function latestLoadReference(out: string): Promise<LoadReference | null> {
  const names = await readdir(out).catch(() => [] as string[]);
  for (const name of names.sort().reverse()) {
    if (name === "latest") continue;
    const folder = join(out, name);
    const results = await readResults(join(folder, "results.json")).catch(() => null);
    if (!results || results.options.target !== null) continue;
    if (!READ_SCENARIOS.has(results.options.scenario)) continue;
    const found = reference(folder, results);
    if (found) return found;
  }
  return null;
}
