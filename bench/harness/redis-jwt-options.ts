import { configInvalid } from "../../lib/errors.js";
import { memberOf, type OptionSpec, oneOf, passedOn } from "../../lib/option-table.js";
import { CACHE_MODES, type CacheMode } from "../../server/cache/token-cache.js";
import { OPTIONS as SERVER_OPTIONS } from "../../server/config.js";

// Options more than one benchmark takes, with one spelling and one help each.

/** Which modes a benchmark's --redis-url serves, and what happens when it does not answer. */
export const REDIS_MODES_HELP =
  "Redis for redis, tiered, jwt-denylist, and jwt-version through redis or tiered (a private redis-server is started when unreachable)";

export const redisClusterOption = <T extends { redisCluster: string[] }>(): OptionSpec<
  T,
  "redisCluster"
> =>
  passedOn(
    SERVER_OPTIONS.redisCluster,
    "a Redis Cluster instead of --redis-url (its seed nodes, host:port[,…]; never started here)",
  );

/** One Redis or a cluster: a benchmark refuses both, as its servers would. */
export function checkOneRedis(redisCluster: readonly string[], given: ReadonlySet<string>): void {
  if (redisCluster.length > 0 && given.has("redisUrl")) {
    throw configInvalid(
      "--redis-cluster and --redis-url (or REDIS_URL) name two different Redis deployments: give one",
    );
  }
}

export const jwtVersionCacheOption = <T extends { jwtVersionCache: CacheMode }>(): OptionSpec<
  T,
  "jwtVersionCache"
> => ({
  flag: "jwt-version-cache",
  help: `the cache jwt-version looks token versions up through: ${CACHE_MODES.join(" | ")}`,
  parse: oneOf<CacheMode>() as (raw: string) => T["jwtVersionCache"],
  check: memberOf(CACHE_MODES),
});
