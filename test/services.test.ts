import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { postgresVersion, providePostgres, provideRedis } from "../bench/harness/services.js";
import { closedPort } from "./helpers/ports.js";

const installed = (command: string) => {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

describe("services the benchmarks start for themselves", () => {
  it.skipIf(!installed("redis-server"))(
    "starts a private Redis when the configured one does not answer, and stops it",
    async () => {
      const service = await provideRedis(`redis://127.0.0.1:${await closedPort()}`);
      if (typeof service === "string") throw new Error(service);
      expect(service).toMatchObject({ private: true, version: expect.stringMatching(/^Redis \d/) });
      await service.stop();
      // Asked again, it has to start another: the first one is gone.
      const again = await provideRedis(service.url);
      try {
        expect(typeof again === "string" ? again : again.url).not.toBe(service.url);
      } finally {
        if (typeof again !== "string") await again.stop();
      }
    },
  );

  it.skipIf(!installed("pg_config"))(
    "starts a private PostgreSQL when the configured one does not answer, and removes it after",
    async () => {
      const service = await providePostgres(
        `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`,
      );
      if (typeof service === "string") throw new Error(service);
      expect(service).toMatchObject({
        private: true,
        version: expect.stringMatching(/^PostgreSQL \d/),
      });
      expect(await postgresVersion(service.url)).toBe(service.version);
      const dataDir = /acb-postgres-\w+/.exec(
        execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }),
      )?.[0];
      await service.stop();
      await expect(postgresVersion(service.url)).rejects.toThrow();
      if (dataDir) expect(existsSync(`/tmp/${dataDir}`)).toBe(false);
    },
    60_000,
  );

  it("says what is missing and how to get it when nothing can be started", async () => {
    const path = process.env.PATH;
    // No redis-server, pg_config or initdb to be found: a machine without either installed.
    process.env.PATH = "/nonexistent";
    try {
      const port = await closedPort();
      const redis = await provideRedis(`redis://127.0.0.1:${port}`);
      expect(redis).toMatch(
        /^Redis is not reachable at redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED .*\) and none could be started here \(spawn redis-server ENOENT\); start one with `docker compose up -d redis`/,
      );
      const postgres = await providePostgres(`postgres://postgres@127.0.0.1:${port}/postgres`);
      expect(postgres).toMatch(
        /^PostgreSQL is not reachable at .* \(connect ECONNREFUSED .*\) and none could be started here \(no PostgreSQL installation found.*\); start one with `docker compose up -d postgres`/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
