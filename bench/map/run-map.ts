import { join, relative } from "node:path";
import { describeCause } from "../../lib/errors.js";
import type { RevocationReference } from "../load/index.js";
import {
  type EntryWeights,
  type LoadResults,
  loadOptionsWith,
  type Progress,
  runLoadBenchmark,
} from "../load/index.js";
import { collectProvenance } from "../report/provenance.js";
import { recordBenchmark } from "../report/record.js";
import { createReportFolder, type ReportFolder } from "../report/write.js";
import { BASELINE, cellsOf } from "./derive.js";
import { exposureOf } from "./exposure.js";
import {
  type Distance,
  MAP_SCHEMA,
  MAP_SCHEMA_VERSION,
  type MapOptions,
  type MapPoint,
  type MapResults,
} from "./schema.js";
import { mapViews } from "./views.js";

/** The load benchmarks a distance may run. */
type Loop = "closed" | "open" | "capacity" | "cold-start";

export type MapProgress =
  | { kind: "distance"; distance: Distance; index: number; total: number; loop: Loop }
  | { kind: "load"; distance: Distance; event: Progress };

/** What the map reads of other kinds' newest reports: the weight of an entry, revocation exposure. */
export interface MapReferences {
  entryWeights(out: string): Promise<EntryWeights | null>;
  revocation(
    out: string,
    store: string,
    redisCluster: readonly string[],
  ): Promise<RevocationReference | null>;
}

/** The measured distance of a point: none's summary, else the first mode's that looked up. */
function lookupsOf(results: LoadResults, figure: "sessionLookupMs" | "addedDelayMs") {
  const none = results.summaries.find((s) => s.mode === BASELINE)?.[figure];
  return none ?? results.summaries.find((s) => s[figure])?.[figure] ?? null;
}

type Ran = { results: LoadResults; folder: ReportFolder };

function pointOf(
  distance: Distance,
  {
    closed,
    open,
    capacity,
    cold,
  }: Record<"open" | "capacity" | "cold", Ran | null> & {
    closed: Ran;
  },
  mapDir: string,
): MapPoint {
  const folder = (ran: Ran | null) => (ran ? relative(mapDir, ran.folder.dir) : null);
  return {
    distance,
    reports: {
      closed: folder(closed) as string,
      open: folder(open),
      capacity: folder(capacity),
      coldStart: folder(cold),
    },
    status: "complete",
    reason: null,
    measuredMs: lookupsOf(closed.results, "sessionLookupMs"),
    addedDelayMs: lookupsOf(closed.results, "addedDelayMs"),
    cells: cellsOf(closed.results, open?.results ?? null, capacity?.results ?? null),
    coldStart: (cold?.results.stampedes ?? []).map((arm) => ({
      mode: arm.mode,
      variant: arm.variant,
      steadyHitRatio: arm.steadyHitRatio,
      timeToSteadyMs: arm.timeToSteadyMs,
      peakLookupsPerSecond: arm.peakLookupsPerSecond,
    })),
    skipped: closed.results.skipped,
  };
}

/**
 * One load benchmark per store distance (and one more at --rate), each interleaving the modes
 * round by round and kept whole under points/; then what the map makes of them. A distance that
 * cannot run (PostgreSQL missing) is recorded as failed with why; the others still run.
 */
export async function runMap(
  options: MapOptions,
  progress: (event: MapProgress) => void,
  signal: AbortSignal,
  references: MapReferences,
): Promise<{ results: MapResults; folder: ReportFolder }> {
  const folder = await createReportFolder(options.out, "map");
  const results: MapResults = {
    schema: MAP_SCHEMA,
    version: MAP_SCHEMA_VERSION,
    status: "running",
    options,
    provenance: await collectProvenance({
      services: { redis: null, postgres: null, sqlite: "better-sqlite3 (embedded)" },
      passwordCost: null,
    }),
    points: [],
    crossovers: [],
    exposure: [],
  };
  const weights = await references.entryWeights(options.out);
  const loadAt = (distance: Distance, kind: Loop, rate: number | null) =>
    loadOptionsWith({
      ...(kind === "cold-start" ? { scenario: "cold-start" as const } : {}),
      ...(kind === "capacity" ? { capacity: true, sloP99Ms: options.sloP99Ms } : {}),
      modes: options.modes,
      store: distance.store,
      originLatencyMs: distance.addedMs,
      connections: options.connections,
      // The cold-start scenario and the capacity search take their own durations.
      ...(kind === "closed" || kind === "open"
        ? { duration: options.duration, warmup: options.warmup }
        : {}),
      runs: options.runs,
      users: options.users,
      cacheTtl: options.cacheTtl,
      rate,
      redisUrl: options.redisUrl,
      databaseUrl: options.databaseUrl,
      out: join(folder.dir, "points"),
    });
  await recordBenchmark(
    { folder, results, signal, views: mapViews, cleanup: async () => {} },
    async (save) => {
      for (const [index, distance] of options.distances.entries()) {
        if (signal.aborted) break;
        const total = options.distances.length;
        const load = (loop: Loop, rate: number | null = null) => {
          progress({ kind: "distance", distance, index, total, loop });
          return runLoadBenchmark(
            loadAt(distance, loop, rate),
            (event) => progress({ kind: "load", distance, event }),
            signal,
            { entryWeights: weights },
          );
        };
        try {
          const closed = await load("closed");
          const more = async (asked: boolean, loop: Loop, rate: number | null = null) =>
            asked && !signal.aborted ? await load(loop, rate) : null;
          const open = await more(options.rate !== null, "open", options.rate);
          const capacity = await more(options.capacity, "capacity");
          const cold = await more(options.coldStart, "cold-start");
          results.points.push(pointOf(distance, { closed, open, capacity, cold }, folder.dir));
        } catch (error) {
          results.points.push({
            distance,
            reports: null,
            status: "failed",
            reason: describeCause(error),
            measuredMs: null,
            addedDelayMs: null,
            cells: [],
            coldStart: [],
            skipped: [],
          });
        }
        await save();
      }
      results.exposure = await exposureOf(options, references);
    },
  );
  return { results, folder };
}
