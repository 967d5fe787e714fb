import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import pg from "pg";
import { connectRedis, redisServerVersion } from "../../server/cache/redis-client.js";
import { describeCause } from "../../server/errors.js";
import { track } from "./children.js";

export interface RedisService {
  url: string;
  version: string;
  /** True when the harness started its own redis-server for this run. */
  private: boolean;
  stop(): Promise<void>;
}

/** The version of the Redis at `url`; throws ACB_REDIS_UNREACHABLE, naming the cause, when none answers. */
async function redisVersion(url: string): Promise<string> {
  const client = await connectRedis({ url, commandTimeoutMs: 1000 });
  try {
    return await redisServerVersion(client);
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  return typeof address === "object" && address ? address.port : 0;
}

async function startPrivateRedis(): Promise<RedisService | string> {
  const port = await freePort();
  const child = track(
    spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    ),
  );
  const failed = await Promise.race([
    once(child, "error").then(([error]) => describeCause(error)),
    once(child, "exit").then(() => "redis-server exited at start"),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10)),
  ]);
  if (failed) return failed;
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const version = await redisVersion(url);
      return {
        url,
        version,
        private: true,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = once(child, "exit");
          child.kill("SIGTERM");
          await exited;
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill("SIGKILL");
  return "redis-server did not answer";
}

/**
 * The Redis the redis mode uses: the configured one when it answers, else a private
 * redis-server when one is installed, else a reason the caller turns into a skipped mode.
 */
export async function provideRedis(url: string): Promise<RedisService | string> {
  try {
    return { url, version: await redisVersion(url), private: false, stop: async () => {} };
  } catch (error) {
    const started = await startPrivateRedis();
    if (typeof started !== "string") return started;
    return (
      `Redis is not reachable at ${url} (${describeCause((error as Error).cause ?? error)}) and no redis-server could be started (${started}); ` +
      "start one with `docker compose up -d redis` or `redis-server`, or pass --redis-url"
    );
  }
}

/** PostgreSQL's version, or a reason it cannot be used. */
export async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>("SHOW server_version");
    return `PostgreSQL ${rows[0]?.server_version ?? "unknown"}`;
  } finally {
    await client.end();
  }
}

export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
