import { dirname, join } from "node:path";
import { compareInput } from "../../lib/errors.js";
import { type LoadResults, readLoadResults } from "../load/index.js";
import type { MapResults } from "../map/index.js";
import {
  compareResults,
  type GateOptions,
  type GateOutcome,
  type GateResult,
} from "./compare-results.js";

/** One distance of two maps, judged as two load results are. */
export interface DistanceGate {
  distance: string;
  result: GateResult;
}

export interface MapGate {
  distances: DistanceGate[];
  /** Distances only one of the maps measured, or that failed in one. */
  unmatched: string[];
  outcome: GateOutcome;
}

/** The closed-loop load results of a distance, from the map's points/ folder. */
async function pointResults(
  mapFile: string,
  map: MapResults,
  label: string,
): Promise<LoadResults | null> {
  const folder = map.points.find((p) => p.distance.label === label && p.status === "complete")
    ?.reports?.closed;
  return folder ? readLoadResults(join(dirname(mapFile), folder, "results.json")) : null;
}

/**
 * Two maps compared distance by distance, each as the load gate compares two results. Every
 * distance is a family of its own (Holm within it), so alpha is shared out over the distances
 * (Bonferroni) and the whole comparison keeps its family-wise error at alpha.
 */
export async function compareMaps(
  files: { baseline: string; current: string },
  maps: { baseline: MapResults; current: MapResults },
  options: GateOptions,
): Promise<MapGate> {
  const labels = (map: MapResults) => map.points.map((p) => p.distance.label);
  const shared = labels(maps.baseline).filter((label) => labels(maps.current).includes(label));
  const pairs = await Promise.all(
    shared.map(async (distance) => ({
      distance,
      baseline: await pointResults(files.baseline, maps.baseline, distance),
      current: await pointResults(files.current, maps.current, distance),
    })),
  );
  const judged = pairs.filter(
    (p): p is { distance: string; baseline: LoadResults; current: LoadResults } =>
      p.baseline !== null && p.current !== null,
  );
  if (judged.length === 0) throw compareInput("the two maps have no complete distance in common");
  const share = { ...options, alpha: options.alpha / judged.length };
  const distances = judged.map(({ distance, baseline, current }) => ({
    distance,
    result: compareResults(baseline, current, share, {
      baseline: `${files.baseline} at ${distance}`,
      current: `${files.current} at ${distance}`,
    }),
  }));
  const outcomes = distances.map((d) => d.result.outcome);
  const all = [...new Set([...labels(maps.baseline), ...labels(maps.current)])];
  return {
    distances,
    unmatched: all.filter((label) => !judged.some((j) => j.distance === label)),
    outcome: outcomes.includes("fail")
      ? "fail"
      : outcomes.includes("cannot judge")
        ? "cannot judge"
        : "pass",
  };
}
