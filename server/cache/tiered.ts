import type { Redis } from "ioredis";
import { createMemoryCache } from "./memory.js";
import { createRedisCache } from "./redis.js";
import type { RedisClient } from "./redis-client.js";
import { subscribe } from "./subscription.js";
import type { CacheEvents, TokenCache } from "./token-cache.js";

export interface TieredCacheOptions {
  client: RedisClient;
  /** A connection of its own: a subscribed connection can issue no other commands. */
  subscriber: Redis;
  keyPrefix: string;
  ttlMs: number;
  jitter: number;
  localTtlMs: number;
  maxEntries: number;
  events: CacheEvents;
  /** false only to break the mode on purpose: the revocation benchmark must then fail it. */
  broadcast: boolean;
}

const parseHashes = (message: string): string[] => {
  try {
    const value: unknown = JSON.parse(message);
    return Array.isArray(value)
      ? value.filter((item): item is string => typeof item === "string")
      : [];
  } catch {
    return [];
  }
};

/**
 * A short-lived in-process tier in front of the shared Redis tier. Every invalidation is written
 * to Redis and broadcast over pub/sub, and every instance drops the hashes from its own tier.
 * While this instance is not subscribed it could miss a message, so its local tier is emptied and
 * bypassed until the subscription is back: a missed message never outlives the local TTL.
 */
export async function createTieredCache(options: TieredCacheOptions): Promise<TokenCache> {
  const { client, subscriber, events } = options;
  const channel = `${options.keyPrefix}invalidate`;
  const shared = createRedisCache({
    client,
    keyPrefix: options.keyPrefix,
    ttlMs: options.ttlMs,
    jitter: options.jitter,
    events,
  });
  const newLocal = () =>
    createMemoryCache({
      maxEntries: options.maxEntries,
      ttlMs: options.localTtlMs,
      jitter: options.jitter,
    });
  let local = newLocal();
  const subscription = await subscribe(subscriber, channel, {
    message: (text) => void local.invalidate(parseHashes(text)),
    lost: () => {
      local = newLocal();
    },
    failed: (error) => events.error("invalidate", error),
  });

  return {
    mode: "tiered",
    // A hit in the near tier is answered synchronously, as in memory mode: no promise.
    get: (tokenHash) => {
      if (subscription.active) {
        const near = local.get(tokenHash);
        if (near.kind === "hit" || near.kind === "revoked") return near;
      }
      return Promise.resolve(shared.get(tokenHash)).then((far) => {
        if (far.kind === "hit" && subscription.active) {
          local.fill(tokenHash, far.principal, Date.now());
        }
        return far;
      });
    },
    fill: (tokenHash, principal, now) => {
      if (subscription.active) local.fill(tokenHash, principal, now);
      shared.fill(tokenHash, principal, now);
    },
    invalidate: async (tokenHashes) => {
      if (tokenHashes.length === 0) return;
      await local.invalidate(tokenHashes);
      await shared.invalidate(tokenHashes);
      if (!options.broadcast) return;
      try {
        await client.publish(channel, JSON.stringify(tokenHashes));
      } catch (error) {
        events.error("invalidate", error);
      }
    },
    localEntries: () => local.localEntries(),
    healthy: async () => subscription.active && (await shared.healthy()),
    close: async () => {
      await subscription.close();
      await shared.close();
      await local.close();
    },
  };
}
