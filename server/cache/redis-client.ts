import { Redis } from "ioredis";
import { redisUnreachable } from "../../lib/errors.js";

export interface RedisClientOptions {
  url: string;
  commandTimeoutMs: number;
  /** A subscriber resubscribes itself on "ready", so that it knows when it is subscribed again. */
  subscriber?: boolean;
}

/**
 * Connects with bounded waits everywhere: a command that is not answered within the timeout fails,
 * and with no offline queue a command issued while disconnected fails at once instead of piling up.
 * Throws ACB_REDIS_UNREACHABLE when the first connection fails.
 */
export async function connectRedis(options: RedisClientOptions): Promise<Redis> {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(1000, options.commandTimeoutMs),
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    autoResubscribe: options.subscriber !== true,
  });
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
    throw redisUnreachable(options.url, cause ?? error);
  }
  return client;
}

export async function redisServerVersion(client: Redis): Promise<string> {
  const info = await client.info("server");
  return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "unknown"}`;
}

/**
 * A command connection and a subscriber of its own (a subscribed connection can issue no other
 * commands), for what invalidates through pub/sub; the first is closed if the second fails.
 */
export async function connectWithSubscriber(
  options: Omit<RedisClientOptions, "subscriber">,
): Promise<{ client: Redis; subscriber: Redis }> {
  const client = await connectRedis(options);
  const subscriber = await connectRedis({ ...options, subscriber: true }).catch(
    (error: unknown) => {
      client.disconnect();
      throw error;
    },
  );
  return { client, subscriber };
}
