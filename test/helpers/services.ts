import { execFileSync } from "node:child_process";
import { connect } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string | null;
    databaseUrl: string | null;
  }
}

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const DATABASE_URL =
  process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname.replace(/^\[|\]$/g, ""),
      port: Number(port),
      timeout: 1000,
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/**
 * Finds Redis and PostgreSQL once for the whole run. CI sets REQUIRE_REDIS=1 and REQUIRE_POSTGRES=1
 * so a missing service fails the run; elsewhere the tests that need it are skipped, loudly.
 */
/** Processes a test starts and must stop: private Redis and PostgreSQL, reference servers. */
const STARTED_BY_TESTS = /redis-server \S+:(?!6379\b)\d+|acb-postgres-|dist\/server\/main\.js/;

function startedByTests(): Map<number, string> {
  const lines = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" }).split("\n");
  return new Map(
    lines.flatMap((line) => {
      const [, pid, stat, args] = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line) ?? [];
      // A zombie is already stopped; it only waits for a parent to collect it.
      if (!pid || !args || stat?.startsWith("Z") || !STARTED_BY_TESTS.test(args)) return [];
      return [[Number(pid), args] as const];
    }),
  );
}

export default async function setup(project: TestProject): Promise<() => void> {
  const before = startedByTests();
  const services = [
    {
      name: "Redis",
      url: REDIS_URL,
      key: "redisUrl",
      required: "REQUIRE_REDIS",
      hint: "docker compose up -d redis  (or: redis-server --port 6379)",
    },
    {
      name: "PostgreSQL",
      url: DATABASE_URL,
      key: "databaseUrl",
      required: "REQUIRE_POSTGRES",
      hint: "docker compose up -d postgres",
    },
  ] as const;
  for (const service of services) {
    const ok = await reachable(service.url);
    if (!ok && process.env[service.required] === "1") {
      throw new Error(
        `${service.name} is required (${service.required}=1) but ${service.url} is not reachable`,
      );
    }
    if (!ok) {
      process.stderr.write(
        `\n!!! ${service.name} is not reachable at ${service.url}: the tests that need it are SKIPPED.\n` +
          `!!! Start it with \`${service.hint}\`, or set ${service.key === "redisUrl" ? "REDIS_URL" : "DATABASE_URL"}.\n\n`,
      );
    }
    project.provide(service.key, ok ? service.url : null);
  }
  // Every test stops what it starts: whatever is left now, and was not running before, fails the run.
  return () => {
    const left = [...startedByTests()].filter(([pid]) => !before.has(pid));
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0: the exit code is set by hand.
      process.exitCode = 1;
      throw new Error(
        `the tests left processes running: ${left.map(([pid, args]) => `${pid} ${args}`).join("; ")}`,
      );
    }
  };
}
