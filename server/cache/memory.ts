import { LRUCache } from "lru-cache";
import {
  type EntryLife,
  entryTtlMs,
  type Lookup,
  MISS,
  REVOKED,
  type TokenCache,
} from "./token-cache.js";

export interface MemoryCacheOptions extends EntryLife {
  maxEntries: number;
}

// Entries are the lookups themselves, so a hit allocates nothing: a principal or REVOKED.
type Entry = Extract<Lookup, { kind: "hit" | "revoked" }>;

/** An in-process cache answers synchronously; the tiered cache relies on it for its near tier. */
export interface MemoryCache extends TokenCache {
  get(tokenHash: string): Lookup;
}

/** A bounded in-process LRU with per-entry TTL. Invalidation reaches this process only. */
export function createMemoryCache(options: MemoryCacheOptions): MemoryCache {
  const lru = new LRUCache<string, Entry>({ max: options.maxEntries, ttl: options.ttlMs });
  return {
    mode: "memory",
    get: (tokenHash) => lru.get(tokenHash) ?? MISS,
    fill: (tokenHash, principal, now) => {
      const ttl = entryTtlMs(principal, now, options);
      if (ttl > 0 && !lru.has(tokenHash)) lru.set(tokenHash, { kind: "hit", principal }, { ttl });
    },
    invalidate: (tokenHashes) => {
      for (const tokenHash of tokenHashes) lru.set(tokenHash, REVOKED);
      return Promise.resolve();
    },
    localEntries: () => lru.size,
    healthy: () => Promise.resolve(true),
    close: () => {
      lru.clear();
      return Promise.resolve();
    },
  };
}
