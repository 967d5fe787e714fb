import type { CacheMode } from "../../server/cache/token-cache.js";
import { isJwtMode, PLAIN_ALG, type PlainJwtMode } from "../../server/modes.js";
import type { MicroTask, RequestCost, RequestPath, SuiteResult } from "./schema.js";

/** What the authenticate hook runs before the verifier, in every mode. */
const BEFORE_LOOKUP = ["token.header", "token.syntax", "token.sha256"];
const STORE_HIT = "sqlite.find-hit";

interface CostPath {
  path: RequestPath;
  /** Task ids, in the order the request runs them. */
  parts: string[];
  /** The task that measures them as one; by default the request suite's for the mode and path. */
  whole?: string;
}

/**
 * The parts of one request's token check, by mode and path, as server/auth/verify.ts and the
 * caches run them. A mode added to the server fails to compile here until its parts are named.
 */
const CACHE_PATHS: Record<CacheMode, CostPath[]> = {
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

/** A plain JWT is read from the header and verified: nothing is hashed or looked up. */
const JWT_PATHS = Object.fromEntries(
  Object.entries(PLAIN_ALG).map(([mode, alg]) => [
    mode,
    [{ path: "verify", parts: [`jwt.${alg}.fast-jwt.verify`], whole: `jwt.${alg}.check` }],
  ]),
) as Record<PlainJwtMode, CostPath[]>;

const PATHS: Record<CacheMode | PlainJwtMode, CostPath[]> = { ...CACHE_PATHS, ...JWT_PATHS };

export const wholeTaskId = (mode: CacheMode, path: RequestPath): string =>
  `request.${mode}-${path}`;

/** What every path runs before its own parts: the cache modes hash the token, a JWT does not. */
const beforeOf = (mode: string) => (isJwtMode(mode) ? ["token.header"] : BEFORE_LOOKUP);

/** Adds up the mean of each part of each path, beside the whole measured in the request suite. */
export function requestCosts(suites: readonly SuiteResult[]): RequestCost[] {
  const tasks = new Map<string, MicroTask>(
    suites.flatMap((suite) => suite.tasks.map((task) => [task.id, task])),
  );
  const meanOf = (id: string) => tasks.get(id)?.stats?.meanUs ?? null;
  const rows: RequestCost[] = [];
  for (const [mode, paths] of Object.entries(PATHS) as [keyof typeof PATHS, CostPath[]][]) {
    for (const costPath of paths) {
      const { path, parts } = costPath;
      const whole = costPath.whole ?? wholeTaskId(mode as CacheMode, path);
      if (!tasks.has(whole)) continue;
      const all = [...beforeOf(mode), ...parts];
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
