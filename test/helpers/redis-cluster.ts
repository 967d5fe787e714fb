import { spawnSync } from "node:child_process";

const installed = (command: string) => spawnSync(command, ["--version"]).status === 0;

/**
 * Why the tests cannot start Redis servers of their own (a cluster, one to kill), or null. CI sets
 * REQUIRE_REDIS_CLUSTER=1, so that a missing redis-server fails the run instead of skipping them.
 */
export function ownRedisUnavailable(what: string): string | null {
  if (installed("redis-server") && installed("redis-cli")) return null;
  const why = `redis-server and redis-cli are needed to start ${what}`;
  if (process.env.REQUIRE_REDIS_CLUSTER === "1") {
    throw new Error(`${why} (REQUIRE_REDIS_CLUSTER=1)`);
  }
  process.stderr.write(`\n!!! ${why}: its tests are SKIPPED.\n\n`);
  return why;
}

/** The benchmark's own cluster: the tests start the same three masters as --fault master-stop. */
export {
  type OwnCluster as RedisClusterFixture,
  startOwnCluster as startRedisCluster,
} from "../../bench/harness/own-cluster.js";
