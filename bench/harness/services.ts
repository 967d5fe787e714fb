import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Cluster, Redis } from "ioredis";
import pg from "pg";
import { describeCause, postgresUnavailable } from "../../lib/errors.js";
import { connectRedis, redisServerVersion } from "../../server/cache/redis-client.js";
import { track } from "./children.js";
import type { KillableRedis } from "./fault.js";

const run = promisify(execFile);

/** A Redis or PostgreSQL the benchmark uses: the configured one, or one it started itself. */
export interface Service {
  url: string;
  version: string;
  /** True when the harness started its own server for this run (and stops it afterwards). */
  private: boolean;
  stop(): Promise<void>;
}
/** Where a benchmark's Redis is: one server, or a cluster's seed nodes (host:port). */
export interface RedisTarget {
  url: string;
  /** Empty: the one Redis at `url`. */
  cluster: readonly string[];
}
export type RedisService = Service & RedisTarget;

const targetOf = (target: string | RedisTarget): RedisTarget =>
  typeof target === "string" ? { url: target, cluster: [] } : target;

/**
 * Runs `work` on every node that holds keys: the one Redis, or each master of a cluster (a SCAN
 * or MEMORY USAGE sees one node's keys only).
 */
export async function onEveryMaster(
  target: RedisTarget,
  work: (client: Redis) => Promise<void>,
): Promise<void> {
  const client = await connectRedis({ ...target, commandTimeoutMs: 5000 });
  try {
    const nodes =
      target.cluster.length > 0 ? (client as Cluster).nodes("master") : [client as Redis];
    for (const node of nodes) await work(node);
  } finally {
    client.disconnect();
  }
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

/** PostgreSQL's version; throws when it does not answer. */
export async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
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

/** Calls `each` with every batch of keys under `prefix`, node by node. */
const forKeys = (
  target: string | RedisTarget,
  prefix: string,
  each: (client: Redis, keys: string[]) => Promise<unknown>,
): Promise<void> =>
  onEveryMaster(targetOf(target), async (client) => {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      // One DEL or MEMORY USAGE per key: a node's keys may still span slots.
      if (keys.length > 0) await each(client, keys);
      cursor = next;
    } while (cursor !== "0");
  });

/** Deletes every key under `prefix`: what a benchmark or a test wrote leaves with it. */
export const deleteRedisKeys = (target: string | RedisTarget, prefix: string): Promise<void> =>
  forKeys(target, prefix, (client, keys) => Promise.all(keys.map((key) => client.del(key))));

/** What Redis holds under `prefix`: its keys, and the bytes MEMORY USAGE reports for them. */
export async function redisFootprint(
  target: string | RedisTarget,
  prefix: string,
): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  await forKeys(target, prefix, async (client, keys) => {
    const usages = await Promise.all(keys.map((key) => client.memory("USAGE", key)));
    // A key that expired between the scan and its MEMORY USAGE is no longer held.
    for (const usage of usages) {
      if (usage === null) continue;
      entries += 1;
      bytes += usage;
    }
  });
  return { entries, bytes };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  return typeof address === "object" && address ? address.port : 0;
}

interface Launch {
  command: string;
  args: string[];
  url: string;
  /** Answers with the version once the server accepts connections. */
  version: (url: string) => Promise<string>;
  /** Runs the server as this user (PostgreSQL refuses root). */
  user?: { uid: number; gid: number };
  /** Removed after the server stopped. */
  dataDir?: string;
}

/** Starts a server as a tracked child, waits until it answers, and says why when it does not. */
async function startPrivate(launch: Launch): Promise<Service | string> {
  const child = track(spawn(launch.command, launch.args, { stdio: "ignore", ...launch.user }));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      // SIGINT is PostgreSQL's fast shutdown; Redis shuts down on it too.
      child.kill("SIGINT");
      await exited;
    }
    if (launch.dataDir) await rm(launch.dataDir, { recursive: true, force: true });
  };
  const failed = await Promise.race([
    once(child, "error").then(([error]) => describeCause(error)),
    once(child, "exit").then(() => `${launch.command} exited at start`),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10)),
  ]);
  for (let attempt = 0; !failed && attempt < 100; attempt++) {
    try {
      return { url: launch.url, version: await launch.version(launch.url), private: true, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  return failed ?? `${launch.command} did not answer`;
}

async function startPrivateRedis(): Promise<Service | string> {
  const port = await freePort();
  return startPrivate({
    command: "redis-server",
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    url: `redis://127.0.0.1:${port}`,
    version: redisVersion,
  });
}

/**
 * Our own redis-server on a free port, which a fault may kill (as a crash would: SIGKILL) and
 * start again, empty, on the same port. Never a user's Redis.
 */
export async function startOwnRedis(): Promise<(RedisService & KillableRedis) | string> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGKILL");
    await exited;
  };
  const launch = async (): Promise<string> => {
    const started = track(spawn("redis-server", args, { stdio: "ignore" }));
    child = started;
    let failure: string | undefined;
    started.once("error", (error) => {
      failure = describeCause(error);
    });
    for (let attempt = 0; attempt < 100 && failure === undefined; attempt++) {
      try {
        return await redisVersion(url);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(failure ?? "redis-server did not answer");
  };
  try {
    const version = await launch();
    const restart = async () => {
      await launch();
    };
    return { url, cluster: [], version, private: true, stop: kill, kill, restart };
  } catch (error) {
    await kill();
    return `no redis-server could be started here (${describeCause(error)})`;
  }
}

/** The uid and gid of the `postgres` user, for starting PostgreSQL when the harness runs as root. */
async function postgresUser(): Promise<{ uid: number; gid: number } | string> {
  try {
    const [uid, gid] = await Promise.all([
      run("id", ["-u", "postgres"]),
      run("id", ["-g", "postgres"]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return "PostgreSQL refuses to run as root and there is no postgres user to run it as";
  }
}

async function startPrivatePostgres(): Promise<Service | string> {
  let bindir: string;
  try {
    bindir = (await run("pg_config", ["--bindir"])).stdout.trim();
  } catch (error) {
    return `no PostgreSQL installation found (pg_config: ${describeCause(error)})`;
  }
  const user = process.getuid?.() === 0 ? await postgresUser() : undefined;
  if (typeof user === "string") return user;
  const dataDir = await mkdtemp(join(tmpdir(), "acb-postgres-"));
  try {
    if (user) await chown(dataDir, user.uid, user.gid);
    await run(
      join(bindir, "initdb"),
      ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
      {
        ...user,
      },
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    return `initdb failed: ${describeCause(error).split("\n")[0]}`;
  }
  const port = await freePort();
  return startPrivate({
    command: join(bindir, "postgres"),
    // A throwaway cluster: durability settings off, socket in its own folder, loopback only.
    args: [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-k",
      dataDir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
    ],
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version: postgresVersion,
    ...(user ? { user } : {}),
    dataDir,
  });
}

/**
 * The configured server when it answers; else a private one started for this run when the
 * server is installed; else the reason, which the caller turns into a skipped mode or an error.
 */
async function provide(
  name: string,
  url: string,
  version: (url: string) => Promise<string>,
  startPrivateServer: () => Promise<Service | string>,
  hint: string,
): Promise<Service | string> {
  try {
    return { url, version: await version(url), private: false, stop: async () => {} };
  } catch (error) {
    const started = await startPrivateServer();
    if (typeof started !== "string") return started;
    return `${name} is not reachable at ${url} (${describeCause((error as Error).cause ?? error)}) and none could be started here (${started}); ${hint}`;
  }
}

/**
 * The Redis of a benchmark: a cluster as given (never one of our own: a cluster is the user's), or
 * the one at `url`, or a private one; else why not.
 */
export async function provideRedis(
  url: string,
  cluster: readonly string[] = [],
): Promise<RedisService | string> {
  if (cluster.length > 0) return provideCluster(cluster);
  const provided = await provide(
    "Redis",
    url,
    redisVersion,
    startPrivateRedis,
    "start one with `docker compose up -d redis` or `redis-server`, or pass --redis-url",
  );
  return typeof provided === "string" ? provided : { ...provided, cluster: [] };
}

/** A cluster's version and topology, for the provenance: the masters and the slots they serve. */
async function provideCluster(nodes: readonly string[]): Promise<RedisService | string> {
  const target = { url: "", cluster: nodes };
  try {
    let version = "";
    const masters: string[] = [];
    await onEveryMaster(target, async (node) => {
      version ||= await redisServerVersion(node);
      masters.push(`${node.options.host}:${node.options.port}`);
    });
    const topology = `a cluster of ${masters.length} masters (${masters.join(", ")})`;
    return { ...target, version: `${version}, ${topology}`, private: false, stop: async () => {} };
  } catch (error) {
    return `the Redis Cluster at ${nodes.join(",")} is not reachable (${describeCause((error as Error).cause ?? error)}); start it, or pass --redis-url for one Redis`;
  }
}

export const providePostgres = (url: string) =>
  provide(
    "PostgreSQL",
    url,
    postgresVersion,
    startPrivatePostgres,
    "start one with `docker compose up -d postgres`, or pass --database-url",
  );

/** PostgreSQL for --store postgres, which every mode needs: throws ACB_POSTGRES_UNREACHABLE without one. */
export async function requirePostgres(url: string): Promise<Service> {
  const provided = await providePostgres(url);
  if (typeof provided === "string") throw postgresUnavailable(provided);
  return provided;
}
