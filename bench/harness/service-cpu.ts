import pg from "pg";
import { describeCause } from "../../lib/errors.js";
import { POSTGRES_APPLICATION } from "../../server/store/postgres.js";
import { cpuSecondsOf, type ProcessSnapshot, processTree } from "../report/process-cpu.js";
import { onEveryMaster, type RedisTarget } from "./services.js";

export const SERVICES = ["redis-server", "postgres"] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The services one run's server talks to on its request path. */
export interface ServicePath {
  /** The Redis of the modes that use one (each master of a cluster), and the run's key prefix. */
  redis: (RedisTarget & { keyPrefix: string }) | null;
  databaseUrl: string | null;
}

/** A service's CPU during one window: measured, or not and why. A remote service is never zero. */
export type ServiceCpu =
  | { service: ServiceName; cpuSeconds: number; processes: number }
  | { service: ServiceName; cpuSeconds: null; why: string };

/** Where a service's processes are, right now: their pids, or why they cannot be read. */
type Located = { service: ServiceName; pids: number[] } | { service: ServiceName; why: string };

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** A process is ours to read only on this machine: a host name or a container is not. */
function localHost(url: string): boolean {
  try {
    const { hostname } = new URL(url);
    // An empty host is a Unix socket, which is local by construction.
    return hostname === "" || LOOPBACK.has(hostname);
  } catch {
    return false;
  }
}

const notLocal = (service: ServiceName, url: string): Located => ({
  service,
  why: `${service} at ${new URL(url).host} is not on this machine`,
});

/**
 * redis-server reports its own pid; on this machine it must be a redis-server we can read. A
 * cluster's masters are counted together: every one of them is on the request path.
 */
async function locateRedis(target: RedisTarget, snapshot: ProcessSnapshot): Promise<Located> {
  const service = "redis-server";
  const urls =
    target.cluster.length > 0 ? target.cluster.map((node) => `redis://${node}`) : [target.url];
  const remote = urls.find((url) => !localHost(url));
  if (remote) return notLocal(service, remote);
  const pids: number[] = [];
  let hidden: number | undefined;
  await onEveryMaster(target, async (node) => {
    const pid = Number(/process_id:(\d+)/.exec(await node.info("server"))?.[1]);
    // In a container the pid is the container's: here it names another process, or none.
    if (snapshot.processes.get(pid)?.name === service) pids.push(pid);
    else hidden = pid;
  });
  if (hidden !== undefined) {
    return { service, why: `redis-server's process ${hidden} is not visible here (a container?)` };
  }
  return { service, pids };
}

/** The backends serving the server's processes, found by the application name they connect with. */
async function locatePostgres(
  url: string,
  snapshot: ProcessSnapshot,
  servers: ReadonlySet<number>,
): Promise<Located> {
  const service = "postgres";
  if (!localHost(url)) return notLocal(service, url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; application_name: string }>(
      "SELECT pid, application_name FROM pg_stat_activity WHERE application_name LIKE $1",
      [`${POSTGRES_APPLICATION}/%`],
    );
    const pids = rows
      .filter((row) => servers.has(Number(row.application_name.split("/")[1])))
      .map((row) => row.pid);
    if (pids.length > 0 && pids.every((pid) => snapshot.processes.get(pid)?.name !== service)) {
      return { service, why: "PostgreSQL's backends are not visible here (a container?)" };
    }
    return { service, pids: pids.filter((pid) => snapshot.processes.has(pid)) };
  } finally {
    await client.end();
  }
}

async function locate(
  path: ServicePath,
  snapshot: ProcessSnapshot,
  serverPid: number,
): Promise<Located[]> {
  if (snapshot.processes.size === 0) {
    const why = "processes cannot be read on this machine (no /proc)";
    return SERVICES.filter((service) =>
      service === "redis-server" ? path.redis : path.databaseUrl,
    ).map((service) => ({ service, why }));
  }
  const found: Promise<Located>[] = [];
  const guarded = (service: ServiceName, work: () => Promise<Located>) =>
    work().catch((error: unknown) => ({ service, why: describeCause(error) }));
  const { redis } = path;
  if (redis) found.push(guarded("redis-server", () => locateRedis(redis, snapshot)));
  if (path.databaseUrl) {
    const url = path.databaseUrl;
    const servers = processTree(snapshot, serverPid);
    found.push(guarded("postgres", () => locatePostgres(url, snapshot, servers)));
  }
  return Promise.all(found);
}

/**
 * Counts the CPU of the services on a server's request path over a window: where their
 * processes are is read at both ends (a pool may open connections meanwhile), their CPU from
 * /proc in the window's own process snapshots.
 */
export async function serviceCpuWindow(
  path: ServicePath,
  serverPid: number,
  snapshot: ProcessSnapshot,
): Promise<(after: ProcessSnapshot) => Promise<ServiceCpu[]>> {
  const atStart = await locate(path, snapshot, serverPid);
  return async (after) => {
    const atEnd = await locate(path, after, serverPid);
    return atEnd.map((end, i): ServiceCpu => {
      const start = atStart[i];
      if ("why" in end) return { service: end.service, cpuSeconds: null, why: end.why };
      if (start && "why" in start)
        return { service: end.service, cpuSeconds: null, why: start.why };
      const pids = new Set([...(start?.pids ?? []), ...end.pids]);
      return {
        service: end.service,
        cpuSeconds: cpuSecondsOf(snapshot, after, pids),
        processes: pids.size,
      };
    });
  };
}
