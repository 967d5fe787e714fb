import type { Redis } from "ioredis";
import { hashToken, newToken } from "../../../server/auth/token.js";
import { createMemoryCache } from "../../../server/cache/memory.js";
import { createRedisCache } from "../../../server/cache/redis.js";
import { connectRedis } from "../../../server/cache/redis-client.js";
import type { Lookup, TokenCache } from "../../../server/cache/token-cache.js";
import { DEFAULTS as SERVER } from "../../../server/config.js";
import type { Principal } from "../../../server/store/store.js";
import type { Fixtures } from "../fixtures.js";
import { BATCH, type Counters, ensure, type SuiteSpec, type TaskSpec } from "../measure.js";

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
    close: () => memory.close(),
  };
  if (!fixtures.redis) {
    spec.skipped = [{ what: "Redis cache tasks", reason: fixtures.unreachable.redis ?? "" }];
    return spec;
  }

  const client = await connectRedis({
    url: fixtures.redis.url,
    commandTimeoutMs: SERVER.redisTimeoutMs,
  });
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
  spec.close = async () => {
    await memory.close();
    await redis.close();
  };
  return spec;
}
