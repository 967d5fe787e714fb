import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ServiceCpu, serviceCpuWindow } from "../bench/harness/service-cpu.js";
import { provideRedis, type Service } from "../bench/harness/services.js";
import { processSnapshot } from "../bench/report/process-cpu.js";
import { connectRedis } from "../server/cache/redis-client.js";
import { POSTGRES_APPLICATION } from "../server/store/postgres.js";
import { closedPort } from "./helpers/ports.js";

const databaseUrl = inject("databaseUrl");

/** The CPU the services on `path` used while `work` ran, as the load benchmark counts it. */
async function measured(
  path: Parameters<typeof serviceCpuWindow>[0],
  work: () => Promise<unknown>,
): Promise<ServiceCpu[]> {
  const before = processSnapshot();
  const end = await serviceCpuWindow(path, process.pid, before);
  await work();
  return end(processSnapshot());
}

const only = (services: ServiceCpu[]) => {
  expect(services).toHaveLength(1);
  return services[0] as ServiceCpu;
};

describe("whole-system CPU: the services on the request path", () => {
  // A Redis of its own: the shared one serves the other test files running beside this one.
  let redis: Service;
  beforeAll(async () => {
    const provided = await provideRedis(`redis://127.0.0.1:${await closedPort()}`);
    if (typeof provided === "string") throw new Error(provided);
    redis = provided;
  });
  afterAll(() => redis?.stop());

  it("counts a redis-server's CPU under a burst of commands, and next to none when it idles", async () => {
    const path = { redis: { url: redis.url, cluster: [], keyPrefix: "cpu:" }, databaseUrl: null };
    const idle = only(
      await measured(path, () => new Promise((resolve) => setTimeout(resolve, 300))),
    );
    expect(idle).toMatchObject({ service: "redis-server", processes: 1 });
    expect(idle.cpuSeconds).toBeLessThanOrEqual(0.02);

    const client = await connectRedis({ url: redis.url, commandTimeoutMs: 10_000 });
    try {
      const busy = only(
        await measured(path, async () => {
          for (let batch = 0; batch < 20; batch++) {
            await Promise.all(
              Array.from({ length: 5000 }, (_, i) => client.set(`cpu:${i}`, "x".repeat(100))),
            );
          }
        }),
      );
      expect(busy.cpuSeconds).toBeGreaterThan(0.03);
    } finally {
      client.disconnect();
    }
  });

  it.skipIf(!databaseUrl)(
    "finds the PostgreSQL backends of the server's pool by their application name, and only them",
    async () => {
      const url = databaseUrl as string;
      // This process stands in for the server: its pool names itself as the server's does.
      const pool = new pg.Pool({
        connectionString: url,
        max: 2,
        application_name: `${POSTGRES_APPLICATION}/${process.pid}`,
      });
      const stranger = new pg.Client({ connectionString: url });
      await stranger.connect();
      const heavy = "SELECT count(*) FROM generate_series(1, 3000000)";
      try {
        await pool.query("SELECT 1");
        const ours = only(
          await measured({ redis: null, databaseUrl: url }, async () => {
            await pool.query(heavy);
          }),
        );
        expect(ours).toMatchObject({ service: "postgres" });
        expect(ours.cpuSeconds).toBeGreaterThan(0.05);

        // Another client's work on the same PostgreSQL is not the server's.
        const theirs = only(
          await measured({ redis: null, databaseUrl: url }, async () => {
            await stranger.query(heavy);
            await stranger.query(heavy);
          }),
        );
        expect(theirs.cpuSeconds).toBeLessThan(0.05);
      } finally {
        await stranger.end();
        await pool.end();
      }
    },
  );

  it("says a service on another machine is not measured, never zero", async () => {
    const path = {
      redis: { url: "redis://cache.example.internal:6379", cluster: [], keyPrefix: "x:" },
      databaseUrl: "postgres://postgres@db.example.internal:5432/postgres",
    };
    const services = await measured(path, () => Promise.resolve());
    expect(services).toEqual([
      {
        service: "redis-server",
        cpuSeconds: null,
        why: "redis-server at cache.example.internal:6379 is not on this machine",
      },
      {
        service: "postgres",
        cpuSeconds: null,
        why: "postgres at db.example.internal:5432 is not on this machine",
      },
    ]);
  });
});
