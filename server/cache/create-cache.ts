import type { Config } from "../config.js";
import { createMemoryCache } from "./memory.js";
import { createNoCache } from "./none.js";
import { createRedisCache } from "./redis.js";
import { connectRedis, connectWithSubscriber, redisOptionsOf } from "./redis-client.js";
import { createTieredCache } from "./tiered.js";
import type { CacheEvents, TokenCache } from "./token-cache.js";

/** The one place that turns a cache mode into a TokenCache. */
export async function createCache(config: Config, events: CacheEvents): Promise<TokenCache> {
  const ttlMs = config.cacheTtl * 1000;
  const jitter = config.cacheTtlJitter;
  const connection = redisOptionsOf(config);
  switch (config.cache) {
    case "none":
      return createNoCache();
    case "memory":
      return createMemoryCache({ maxEntries: config.cacheMax, ttlMs, jitter });
    case "redis": {
      const client = await connectRedis(connection);
      return createRedisCache({
        client,
        keyPrefix: config.redisKeyPrefix,
        ttlMs,
        jitter,
        events,
      });
    }
    case "tiered": {
      const { client, subscriber } = await connectWithSubscriber(connection);
      return createTieredCache({
        client,
        subscriber,
        keyPrefix: config.redisKeyPrefix,
        ttlMs,
        jitter,
        localTtlMs: config.localCacheTtl * 1000,
        maxEntries: config.cacheMax,
        events,
        broadcast: config.tieredBroadcast === "on",
      });
    }
  }
}
