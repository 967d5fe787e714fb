import type { CacheMode } from "../../server/cache/token-cache.js";
import type { MicroTask, RequestCost, RequestPath, SuiteResult } from "./schema.js";

/** What the authenticate hook runs before the verifier, in every mode. */
const BEFORE_LOOKUP = ["token.header", "token.syntax", "token.sha256"];
const STORE_HIT = "sqlite.find-hit";

/**
 * The parts of one request's token check, by mode and path, as server/auth/verify.ts and the
 * caches run them. A mode added to the server fails to compile here until its parts are named.
 */
const PATHS: Record<CacheMode, { path: RequestPath; parts: string[] }[]> = {
  none: [{ path: "store", parts: [STORE_HIT] }],
  memory: [
    { path: "hit", parts: ["memory.get-hit"] },
    { path: "miss", parts: ["memory.get-miss", STORE_HIT, "memory.set"] },
  ],
  redis: [
    { path: "hit", parts: ["redis.get-hit"] },
    { path: "miss", parts: ["redis.get-miss", STORE_HIT, "redis.set"] },
  ],
  tiered: [
    { path: "hit", parts: ["memory.get-hit"] },
    {
      path: "miss",
      parts: ["memory.get-miss", "redis.get-miss", STORE_HIT, "memory.set", "redis.set"],
    },
  ],
};

export const wholeTaskId = (mode: CacheMode, path: RequestPath): string =>
  `request.${mode}-${path}`;

/** Adds up the mean of each part of each path, beside the whole measured in the request suite. */
export function requestCosts(suites: readonly SuiteResult[]): RequestCost[] {
  const tasks = new Map<string, MicroTask>(
    suites.flatMap((suite) => suite.tasks.map((task) => [task.id, task])),
  );
  const meanOf = (id: string) => tasks.get(id)?.stats?.meanUs ?? null;
  const rows: RequestCost[] = [];
  for (const [mode, paths] of Object.entries(PATHS) as [CacheMode, (typeof PATHS)[CacheMode]][]) {
    for (const { path, parts } of paths) {
      const whole = wholeTaskId(mode, path);
      if (!tasks.has(whole)) continue;
      const all = [...BEFORE_LOOKUP, ...parts];
      const missing = all.filter((id) => meanOf(id) === null);
      rows.push({
        mode,
        path,
        parts: all,
        partsUs:
          missing.length === 0 ? all.reduce((sum, id) => sum + (meanOf(id) as number), 0) : null,
        missing,
        whole,
        wholeUs: meanOf(whole),
      });
    }
  }
  return rows;
}
