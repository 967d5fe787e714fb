import type { Redis } from "ioredis";
import { hashToken, newToken } from "../../../server/auth/token.js";
import { createMemoryCache } from "../../../server/cache/memory.js";
import { createRedisCache } from "../../../server/cache/redis.js";
import { connectRedis } from "../../../server/cache/redis-client.js";
import type { Lookup, TokenCache } from "../../../server/cache/token-cache.js";
import { DEFAULTS as SERVER } from "../../../server/config.js";
import type { Principal } from "../../../server/store/store.js";
import { deleteRedisKeys, redisFootprint } from "../../harness/services.js";
import { median } from "../../stats/index.js";
import type { Fixtures } from "../fixtures.js";
import { collectGarbage } from "../gc.js";
import { BATCH, type Counters, ensure, type SuiteSpec, type TaskSpec } from "../measure.js";
import type { CacheFootprint } from "../schema.js";

/** How many tokens a password change revokes at once in the "all tokens of a user" task. */
export const TOKENS_PER_USER = 10;
const TTL_MS = SERVER.cacheTtl * 1000;

const randomHash = () => hashToken(newToken());

/**
 * Token hashes never cached before, made untimed before each sample: a set must not repeat. A
 * counter under a random stem makes them far cheaper than a SHA-256 each, so that preparing a
 * sample does not take longer than measuring it.
 */
function freshHashes(count: number) {
  const stem = randomHash().slice(0, 48);
  let counter = 0;
  let hashes: string[] = [];
  let next = 0;
  return {
    refill: () => {
      hashes = Array.from(
        { length: count },
        () => `${stem}${(counter++).toString(16).padStart(16, "0")}`,
      );
      next = 0;
    },
    take: () => hashes[next++] as string,
  };
}

/** Keeps the reply of every SET, so that a task can wait for the write `fill` does not await. */
function keepSetReplies(client: Redis): () => Promise<unknown> {
  const set = client.set.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let last: Promise<unknown> = Promise.resolve();
  Object.assign(client, {
    set: (...args: unknown[]) => {
      last = set(...args);
      return last;
    },
  });
  return () => last;
}

/** Counted by Redis for all its clients: exact only while nothing else uses that Redis. */
async function redisCommandsProcessed(client: Redis): Promise<Counters> {
  const stats = await client.info("stats");
  return { "Redis commands": Number(/total_commands_processed:(\d+)/.exec(stats)?.[1]) };
}

const isKind = (lookup: Lookup, kind: Lookup["kind"]) =>
  ensure(lookup.kind === kind, `expected a ${kind}, got a ${lookup.kind}`);

interface CacheTaskOptions {
  batch: number;
  /** The hash the hit task caches before it runs; no task invalidates it. */
  hitHash: string;
  /** Waits for the write a fill sends and does not await; absent, a fill is synchronous. */
  settle?: () => Promise<unknown>;
  /** Throws the first failure the cache reported through its events. */
  check: () => void;
  observe?: () => Promise<Counters>;
}

/** get (hit, miss), set and both invalidations of one cache. */
function cacheTasks(
  label: string,
  cache: TokenCache,
  principal: Principal,
  options: CacheTaskOptions,
): TaskSpec[] {
  const { batch, hitHash, settle, check } = options;
  const missHash = randomHash();
  const logoutHash = randomHash();
  const userHashes = Array.from({ length: TOKENS_PER_USER }, randomHash);
  const fresh = freshHashes(batch);
  const now = Date.now();
  const common = { batch, ...(options.observe ? { observe: options.observe } : {}) };
  const set: TaskSpec = settle
    ? {
        ...common,
        id: `${label}.set`,
        name: `${label} set`,
        async: true,
        prepare: fresh.refill,
        call: async () => {
          cache.fill(fresh.take(), principal, now);
          await settle();
          check();
        },
      }
    : {
        ...common,
        id: `${label}.set`,
        name: `${label} set`,
        async: false,
        prepare: fresh.refill,
        call: () => cache.fill(fresh.take(), principal, now),
      };
  return [
    {
      ...common,
      id: `${label}.get-hit`,
      name: `${label} get (hit)`,
      async: true,
      before: async () => {
        cache.fill(hitHash, principal, Date.now());
        await settle?.();
      },
      call: async () => isKind(await cache.get(hitHash), "hit"),
    },
    {
      ...common,
      id: `${label}.get-miss`,
      name: `${label} get (miss)`,
      async: true,
      call: async () => isKind(await cache.get(missHash), "miss"),
    },
    set,
    {
      ...common,
      id: `${label}.invalidate-1`,
      name: `${label} invalidate 1 (logout)`,
      async: true,
      call: async () => {
        await cache.invalidate([logoutHash]);
        check();
      },
    },
    {
      ...common,
      id: `${label}.invalidate-user`,
      name: `${label} invalidate ${TOKENS_PER_USER} (user)`,
      async: true,
      call: async () => {
        await cache.invalidate(userHashes);
        check();
      },
    },
  ];
}

/** Entries per weighing, and weighings: enough that one entry's share is steady to a few bytes. */
const FOOTPRINT_ENTRIES = 20_000;
const FOOTPRINT_REDIS_ENTRIES = 2_000;
const WEIGHINGS = 3;

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: median(sorted), low: sorted[0] ?? 0, high: sorted[sorted.length - 1] ?? 0 };
};

/** A principal as the store returns it: one object per entry, as each lookup builds its own. */
const principalOf = (i: number): Principal => ({
  userId: i,
  username: `user-${i}`,
  role: "user",
  expiresAt: Date.now() + 86_400_000,
});

/** V8's heap and the typed arrays' buffers outside it, after a full collection. */
function heldBytes(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * The memory cache in bytes: what it takes empty, per slot of its bound (the LRU allocates its
 * index arrays for --cache-max entries up front, its TTL arrays at the first fill), and per
 * entry (its key, a fresh 64-character hash as each request computes it, and its principal).
 */
function weighMemory(): CacheFootprint {
  const slots = SERVER.cacheMax;
  const weighings = Array.from({ length: WEIGHINGS }, () => {
    const before = heldBytes();
    const memory = createMemoryCache({ maxEntries: slots, ttlMs: TTL_MS });
    const now = Date.now();
    memory.fill(randomHash(), principalOf(0), now);
    const empty = heldBytes();
    for (let i = 1; i <= FOOTPRINT_ENTRIES; i++) memory.fill(randomHash(), principalOf(i), now);
    const full = heldBytes();
    if (memory.localEntries() !== FOOTPRINT_ENTRIES + 1)
      throw new Error("the cache dropped entries");
    void memory.close();
    return { slot: (empty - before) / slots, entry: (full - empty) / FOOTPRINT_ENTRIES };
  });
  const entry = spread(weighings.map((w) => w.entry));
  return {
    cache: "memory",
    entries: FOOTPRINT_ENTRIES,
    bytesPerEntry: entry.median,
    lowBytes: entry.low,
    highBytes: entry.high,
    slots,
    bytesPerSlot: spread(weighings.map((w) => w.slot)).median,
    method: `V8 heap used and array buffers after a full GC, empty and filled; median of ${WEIGHINGS} weighings`,
  };
}

/** What one entry of the Redis cache takes in Redis, by MEMORY USAGE of each key the cache wrote. */
async function weighRedis(
  client: Redis,
  url: string,
  prefix: string,
  settle: () => Promise<unknown>,
): Promise<CacheFootprint> {
  const bytes: number[] = [];
  const failures: unknown[] = [];
  for (let w = 0; w < WEIGHINGS; w++) {
    const keyPrefix = `${prefix}footprint-${w}:`;
    const redis = createRedisCache({
      client,
      keyPrefix,
      ttlMs: TTL_MS,
      events: { error: (_op, error) => failures.push(error) },
    });
    const now = Date.now();
    for (let i = 0; i < FOOTPRINT_REDIS_ENTRIES; i++) redis.fill(randomHash(), principalOf(i), now);
    await settle();
    if (failures.length > 0) throw failures[0];
    // Weighed as the load benchmark weighs a run's keys.
    const held = await redisFootprint(url, keyPrefix);
    await deleteRedisKeys(url, keyPrefix);
    if (held.entries !== FOOTPRINT_REDIS_ENTRIES)
      throw new Error(`Redis holds ${held.entries} of ${FOOTPRINT_REDIS_ENTRIES} entries`);
    bytes.push(held.bytes / held.entries);
  }
  const entry = spread(bytes);
  return {
    cache: "redis",
    entries: FOOTPRINT_REDIS_ENTRIES,
    bytesPerEntry: entry.median,
    lowBytes: entry.low,
    highBytes: entry.high,
    slots: null,
    bytesPerSlot: null,
    method: `Redis MEMORY USAGE of each key the cache wrote; median of ${WEIGHINGS} weighings`,
  };
}

/** The memory cache and, when Redis is reachable, the Redis cache, built as the server builds them. */
export async function cacheSuite(fixtures: Fixtures): Promise<SuiteSpec> {
  const principal: Principal = {
    userId: 1,
    username: "micro-0",
    role: "user",
    expiresAt: Date.now() + 86_400_000,
  };
  const memory = createMemoryCache({ maxEntries: SERVER.cacheMax, ttlMs: TTL_MS });
  const tasks = cacheTasks("memory", memory, principal, {
    batch: BATCH,
    hitHash: randomHash(),
    check: () => {},
  });
  const spec: SuiteSpec = {
    name: "cache",
    title: "token cache get, set and invalidation (server/cache/*)",
    notes: [
      `set: a token hash never cached before; invalidate ${TOKENS_PER_USER}: what a password change does for a user with ${TOKENS_PER_USER} tokens`,
    ],
    tasks,
    footprint: () => Promise.resolve([weighMemory()]),
    close: () => memory.close(),
  };
  if (!fixtures.redis) {
    spec.skipped = [{ what: "Redis cache tasks", reason: fixtures.unreachable.redis ?? "" }];
    return spec;
  }

  const { url } = fixtures.redis;
  const client = await connectRedis({ url, commandTimeoutMs: SERVER.redisTimeoutMs });
  const lastSet = keepSetReplies(client);
  const failures: unknown[] = [];
  const redis = createRedisCache({
    client,
    keyPrefix: `${fixtures.redisKeyPrefix}cache:`,
    ttlMs: TTL_MS,
    events: { error: (_op, error) => failures.push(error) },
  });
  // A failed write is reported through the events, never thrown: turn it into a failed task.
  const check = () => {
    if (failures.length > 0) throw failures[0];
  };
  tasks.push(
    ...cacheTasks("redis", redis, principal, {
      batch: 1,
      hitHash: randomHash(),
      settle: lastSet,
      check,
      observe: () => redisCommandsProcessed(client),
    }),
  );
  spec.notes.push("redis set: until Redis acknowledges it, which a request does not wait for");
  spec.footprint = async () => [
    weighMemory(),
    await weighRedis(client, url, `${fixtures.redisKeyPrefix}cache:`, lastSet),
  ];
  spec.close = async () => {
    await memory.close();
    await redis.close();
  };
  return spec;
}
