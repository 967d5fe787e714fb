import { Cluster, Redis } from "ioredis";
import { redisUnreachable } from "../../lib/errors.js";
import type { Config } from "../config.js";

export interface RedisClientOptions {
  url: string;
  /** A Redis Cluster's seed nodes (host:port); empty or absent: the one Redis at `url`. */
  cluster?: readonly string[];
  commandTimeoutMs: number;
  /** A subscriber resubscribes itself on "ready", so that it knows when it is subscribed again. */
  subscriber?: boolean;
}

/** One Redis, or a cluster of them: every command this project sends works on both. */
export type RedisClient = Redis | Cluster;

/** How this server's configuration reaches Redis. */
export const redisOptionsOf = (
  config: Pick<Config, "redisUrl" | "redisCluster" | "redisTimeoutMs">,
): RedisClientOptions => ({
  url: config.redisUrl,
  cluster: config.redisCluster,
  commandTimeoutMs: config.redisTimeoutMs,
});

/** Where the options point, for messages: the URL, or the cluster's seed nodes. */
export const redisTarget = (options: RedisClientOptions): string =>
  options.cluster && options.cluster.length > 0
    ? `the Redis Cluster at ${options.cluster.join(",")}`
    : options.url;

/**
 * Bounded waits everywhere: a command that is not answered within the timeout fails, and with no
 * offline queue a command issued while disconnected fails at once instead of piling up.
 */
const connectionOptions = (options: RedisClientOptions) => ({
  lazyConnect: true,
  enableOfflineQueue: false,
  enableAutoPipelining: true,
  maxRetriesPerRequest: 0,
  commandTimeout: options.commandTimeoutMs,
  connectTimeout: Math.max(1000, options.commandTimeoutMs),
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
  autoResubscribe: options.subscriber !== true,
});

/**
 * In a cluster, keys hash to slots on different masters: auto-pipelining batches each node's
 * commands, and no command this project sends spans two slots. MOVED and ASK are still followed.
 */
const newCluster = (nodes: readonly string[], options: RedisClientOptions): Cluster =>
  new Cluster(
    nodes.map((node) => {
      const at = node.lastIndexOf(":");
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    }),
    {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      // A command to a dead master fails at once instead of being retried for up to 16 × 100 ms
      // (measured: 1.7 s): the cache then answers from the store, as it does when one Redis fails.
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      redisOptions: connectionOptions(options),
    },
  );

/** Connects; throws ACB_REDIS_UNREACHABLE when the first connection fails. */
export async function connectRedis(
  options: Omit<RedisClientOptions, "cluster"> & { cluster?: never },
): Promise<Redis>;
export async function connectRedis(options: RedisClientOptions): Promise<RedisClient>;
export async function connectRedis(options: RedisClientOptions): Promise<RedisClient> {
  const nodes = options.cluster ?? [];
  if (nodes.length > 0 && options.subscriber === true) return subscribeToOneNode(nodes, options);
  const client: RedisClient =
    nodes.length > 0
      ? newCluster(nodes, options)
      : new Redis(options.url, connectionOptions(options));
  // Connection errors surface as failed commands, which the cache counts; this keeps ioredis from
  // printing each reconnect attempt, and keeps the cause, which connect() reports only as "closed".
  let cause: unknown;
  client.on("error", (error: unknown) => {
    cause = error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw redisUnreachable(redisTarget(options), cause ?? error);
  }
  return client;
}

/**
 * A cluster's subscriber: one node's connection is enough, since the cluster bus forwards every
 * classic PUBLISH to every node. A plain connection says when it drops (a cluster client would
 * move to another node without a word, and messages sent meanwhile would be missed unnoticed).
 */
async function subscribeToOneNode(
  nodes: readonly string[],
  options: RedisClientOptions,
): Promise<Redis> {
  let failure: unknown;
  for (const node of nodes) {
    try {
      return await connectRedis({
        url: `redis://${node}`,
        commandTimeoutMs: options.commandTimeoutMs,
        subscriber: true,
      });
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

export async function redisServerVersion(client: RedisClient): Promise<string> {
  const info = await client.info("server");
  return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "unknown"}`;
}

/**
 * A command connection and a subscriber of its own (a subscribed connection can issue no other
 * commands), for what invalidates through pub/sub; the first is closed if the second fails.
 */
export async function connectWithSubscriber(
  options: Omit<RedisClientOptions, "subscriber">,
): Promise<{ client: RedisClient; subscriber: Redis }> {
  const client = await connectRedis(options);
  const subscriber = (await connectRedis({ ...options, subscriber: true }).catch(
    (error: unknown) => {
      client.disconnect();
      throw error;
    },
  )) as Redis;
  return { client, subscriber };
}
