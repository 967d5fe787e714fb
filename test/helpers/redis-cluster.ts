import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A Redis Cluster of three masters on free ports, started for one test file and removed after. */
export interface RedisClusterFixture {
  /** Seed nodes, host:port, as --redis-cluster takes them. */
  nodes: string[];
  /** Kills one master without a clean shutdown, as a crash would. */
  kill(index: number): void;
  stop(): Promise<void>;
}

const MASTERS = 3;
/** Redis Cluster's bus listens on the client port + 10000. */
const BUS_OFFSET = 10_000;

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** Ports whose cluster bus ports are free too, drawn at random below 55535. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (ports.includes(port)) continue;
    if ((await free(port)) && (await free(port + BUS_OFFSET))) ports.push(port);
  }
  return ports;
}

const installed = (command: string) => spawnSync(command, ["--version"]).status === 0;

/**
 * Why the tests cannot start Redis servers of their own (a cluster, one to kill), or null. CI sets
 * REQUIRE_REDIS_CLUSTER=1, so that a missing redis-server fails the run instead of skipping them.
 */
export function ownRedisUnavailable(what: string): string | null {
  if (installed("redis-server") && installed("redis-cli")) return null;
  const why = `redis-server and redis-cli are needed to start ${what}`;
  if (process.env.REQUIRE_REDIS_CLUSTER === "1") {
    throw new Error(`${why} (REQUIRE_REDIS_CLUSTER=1)`);
  }
  process.stderr.write(`\n!!! ${why}: its tests are SKIPPED.\n\n`);
  return why;
}

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "cluster", "info"]);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? "unknown";
}

export async function startRedisCluster(): Promise<RedisClusterFixture> {
  const dir = await mkdtemp(join(tmpdir(), "acb-redis-cluster-"));
  const ports = await clusterPorts(MASTERS);
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--cluster-node-timeout",
        "2000",
        "--cluster-require-full-coverage",
        "no",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    ),
  );
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(
      children.map((child) =>
        child.exitCode === null && child.signalCode === null
          ? new Promise((resolve) => child.once("exit", resolve))
          : undefined,
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      for (let tries = 0; ; tries++) {
        const ping = await run("redis-cli", ["-p", String(port), "ping"]).catch(() => null);
        if (ping?.stdout.trim() === "PONG") break;
        if (tries > 100) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    // Every node must agree that all slots are served before a client may rely on it.
    for (let tries = 0; ; tries++) {
      const states = await Promise.all(ports.map(clusterState));
      if (states.every((state) => state === "ok")) break;
      if (tries > 200) throw new Error(`the cluster did not come up: ${states.join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`),
    kill: (index) => children[index]?.kill("SIGKILL"),
    stop,
  };
}
