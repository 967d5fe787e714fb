import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { track } from "./children.js";

const run = promisify(execFile);

/** A Redis Cluster of three masters on free ports that the harness started, and may crash. */
export interface OwnCluster {
  /** Seed nodes, host:port, as --redis-cluster takes them. */
  nodes: string[];
  /** Kills one master without a clean shutdown, as a crash would. */
  kill(index: number): Promise<void>;
  /** Starts a killed master again, empty, with its cluster config: it takes its slots back. */
  restart(index: number): Promise<void>;
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

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "cluster", "info"]);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? "unknown";
}

/** Polls until `ready` holds, every 50 ms, at most `tries` times. */
async function until(ready: () => Promise<boolean>, tries: number, what: string): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(what);
}

const answers = (port: number) => async () =>
  (await run("redis-cli", ["-p", String(port), "ping"])).stdout.trim() === "PONG";

/**
 * Three masters with `--cluster-require-full-coverage no`, so that the others serve their slots
 * while one is down; each keeps its cluster config in a folder removed by stop().
 */
export async function startOwnCluster(): Promise<OwnCluster> {
  const dir = await mkdtemp(join(tmpdir(), "acb-redis-cluster-"));
  const ports = await clusterPorts(MASTERS);
  const argsOf = (port: number) => [
    ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
    ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
    ...["--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no"],
    ...["--save", "", "--appendonly", "no"],
  ];
  const launch = (port: number) => track(spawn("redis-server", argsOf(port), { stdio: "ignore" }));
  const children: ChildProcess[] = ports.map(launch);
  const kill = async (index: number) => {
    const child = children[index];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  };
  const stop = async () => {
    await Promise.all(children.map((_, index) => kill(index)));
    await rm(dir, { recursive: true, force: true });
  };
  // Every node must agree that all slots are served before a client may rely on it.
  const allOk = async () =>
    (await Promise.all(ports.map(clusterState))).every((state) => state === "ok");
  try {
    for (const port of ports)
      await until(answers(port), 100, `redis-server on ${port} did not start`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      ...["--cluster-replicas", "0", "--cluster-yes"],
    ]);
    await until(allOk, 200, "the cluster did not come up");
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`),
    kill,
    restart: async (index) => {
      const port = ports[index] as number;
      children[index] = launch(port);
      await until(answers(port), 100, `redis-server on ${port} did not start again`);
      // A master that answers may still report the cluster down until its peers have seen it:
      // a client that connects then waits for a ready cluster that does not come.
      await until(allOk, 200, `the cluster did not take ${port} back`);
    },
    stop,
  };
}
