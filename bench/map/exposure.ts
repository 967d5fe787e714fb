import { DEFAULTS as SERVER } from "../../server/config.js";
import type { RevocationReference } from "../load/index.js";
import { LOAD_DEFAULTS } from "../load/index.js";
import { promisedBound, REVOCATION_DEFAULTS, type RevocationMode } from "../revocation/index.js";
import { BASELINE } from "./derive.js";
import type { Distance, Exposure, MapOptions } from "./schema.js";

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
  references: {
    revocation(
      out: string,
      store: string,
      redisCluster: readonly string[],
    ): Promise<RevocationReference | null>;
  },
): Promise<Exposure[]> {
  const store = frontierDistance(options.distances)?.store ?? "sqlite";
  const measured = await references.revocation(options.out, store, []);
  const ttls = {
    cacheTtl: options.cacheTtl,
    localCacheTtl: SERVER.localCacheTtl,
    // A plain JWT's promise is its life in the revocation run; the map's own tokens never expire.
    tokenTtl: measured?.tokenTtl ?? REVOCATION_DEFAULTS.tokenTtl,
    jwtVersionCache: LOAD_DEFAULTS.jwtVersionCache,
    promiseMs: 0,
  };
  return options.modes.map((mode) => {
    const { boundMs, boundNote } = promisedBound(mode as RevocationMode, "other", ttls);
    return {
      mode,
      promisedMs: mode === BASELINE ? 0 : boundMs,
      promise: boundNote,
      measuredMs: measured?.modes[mode]?.exposureMs ?? null,
      measuredCacheTtl: measured?.cacheTtl ?? null,
      report: measured?.folder ?? null,
    };
  });
}
