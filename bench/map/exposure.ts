import { DEFAULTS as SERVER } from "../../server/config.js";
import { promisedBound, type RevocationMode } from "../revocation/index.js";
import { BASELINE } from "./derive.js";
import type { Distance, Exposure, MapOptions } from "./schema.js";

/** What the newest revocation report of a store measured: each mode's longest exposure. */
export interface ExposureReference {
  folder: string;
  /** The cache TTL the revocation run used (s): memory's exposure on other instances is it. */
  cacheTtl: number;
  exposureMs: Record<string, number | null>;
}

/**
 * The distance the speed-against-exposure picture is drawn at: PostgreSQL over TCP when measured
 * (the everyday networked store), else the first.
 */
export const frontierDistance = (distances: readonly Distance[]): Distance | undefined =>
  distances.find((d) => d.store === "postgres" && d.addedMs === 0) ?? distances[0];

/**
 * Each mode's promise on the instances that did not serve the revocation (where the modes differ)
 * and, from the newest revocation report of the frontier's store under --out, what it measured.
 */
export async function exposureOf(
  options: MapOptions,
  references: { exposure(out: string, store: string): Promise<ExposureReference | null> },
): Promise<Exposure[]> {
  const store = frontierDistance(options.distances)?.store ?? "sqlite";
  const measured = await references.exposure(options.out, store);
  const ttls = { cacheTtl: options.cacheTtl, localCacheTtl: SERVER.localCacheTtl };
  return options.modes.map((mode) => {
    const { boundMs, boundNote } = promisedBound(mode as RevocationMode, "other", ttls);
    return {
      mode,
      promisedMs: mode === BASELINE ? 0 : boundMs,
      promise: boundNote,
      measuredMs: measured?.exposureMs[mode] ?? null,
      measuredCacheTtl: measured?.cacheTtl ?? null,
      report: measured?.folder ?? null,
    };
  });
}
