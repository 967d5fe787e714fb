import type { Principal } from "../store/store.js";
import type { RedisClient } from "./redis-client.js";
import {
  BYPASS,
  type CacheEvents,
  type EntryLife,
  ERROR,
  entryTtlMs,
  type Lookup,
  MISS,
  REVOKED,
  type TokenCache,
} from "./token-cache.js";

export interface RedisCacheOptions extends EntryLife {
  client: RedisClient;
  keyPrefix: string;
  events: CacheEvents;
  /** How often a failed invalidation is retried. */
  resyncIntervalMs?: number;
}

const TOMBSTONE = "-";

function decode(value: string): Lookup {
  if (value === TOMBSTONE) return REVOKED;
  try {
    return { kind: "hit", principal: JSON.parse(value) as Principal };
  } catch {
    return MISS;
  }
}

/**
 * A cache shared by every instance through Redis. Keys carry the token hash, never the token.
 * When an invalidation cannot be written, this instance stops trusting Redis (reads and fills
 * bypass it) until the tombstones are written or the entries they cover have expired.
 */
export function createRedisCache(options: RedisCacheOptions): TokenCache {
  const { client, ttlMs, events } = options;
  const key = (tokenHash: string) => `${options.keyPrefix}t:${tokenHash}`;
  /** Token hashes whose tombstone could not be written, with when that first failed. */
  const unwritten = new Map<string, number>();
  let resyncTimer: NodeJS.Timeout | undefined;

  // One SET per key, never a MULTI: a user's tokens hash to slots on different masters of a
  // cluster, where a transaction across slots fails with CROSSSLOT. Auto-pipelining still sends
  // each node's writes together; if any fails, every one counts as unwritten.
  const writeTombstones = async (tokenHashes: readonly string[]) => {
    await Promise.all(
      tokenHashes.map((tokenHash) => client.set(key(tokenHash), TOMBSTONE, "PX", ttlMs)),
    );
  };

  const resync = async () => {
    const now = Date.now();
    for (const [tokenHash, since] of unwritten) {
      // Anything cached before the revocation has expired by now: nothing stale is left.
      if (now - since >= ttlMs) unwritten.delete(tokenHash);
    }
    if (unwritten.size > 0) {
      const pending = [...unwritten.keys()];
      try {
        await writeTombstones(pending);
        for (const tokenHash of pending) unwritten.delete(tokenHash);
      } catch (error) {
        events.error("invalidate", error);
      }
    }
    if (unwritten.size === 0 && resyncTimer) {
      clearInterval(resyncTimer);
      resyncTimer = undefined;
    }
  };

  return {
    mode: "redis",
    get: async (tokenHash) => {
      if (unwritten.size > 0) return BYPASS;
      try {
        const value = await client.get(key(tokenHash));
        return value === null ? MISS : decode(value);
      } catch (error) {
        events.error("get", error);
        return ERROR;
      }
    },
    fill: (tokenHash, principal, now) => {
      const ttl = entryTtlMs(principal, now, options);
      if (ttl <= 0 || unwritten.size > 0) return;
      client
        .set(key(tokenHash), JSON.stringify(principal), "PX", ttl, "NX")
        .catch((error: unknown) => events.error("fill", error));
    },
    invalidate: async (tokenHashes) => {
      if (tokenHashes.length === 0) return;
      try {
        await writeTombstones(tokenHashes);
      } catch (error) {
        events.error("invalidate", error);
        const now = Date.now();
        for (const tokenHash of tokenHashes) unwritten.set(tokenHash, now);
        resyncTimer ??= setInterval(resync, options.resyncIntervalMs ?? 250).unref();
      }
    },
    localEntries: () => 0,
    healthy: async () => {
      try {
        return unwritten.size === 0 && (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    close: async () => {
      if (resyncTimer) clearInterval(resyncTimer);
      await client.quit().catch(() => client.disconnect());
    },
  };
}
