import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { inject } from "vitest";
import { deleteRedisKeys, dropPostgresSchema } from "../../bench/harness/services.js";
import { type AppOptions, buildApp } from "../../server/app.js";
import { hashPassword } from "../../server/auth/password.js";
import { type Config, makeConfig } from "../../server/config.js";
import type { StoreKind } from "../../server/store/store.js";

/** The demo users and passwords of credentials.json, hashed cheaply so tests spend no minutes in scrypt. */
export const USERS = {
  john: { password: "password123", role: "admin" },
  jane: { password: "password456", role: "user" },
  alice: { password: "securePass", role: "user" },
} as const;
export type Username = keyof typeof USERS;
export const TEST_COST = { ln: 4, r: 8, p: 1 };

export const services = () => ({
  redisUrl: inject("redisUrl"),
  databaseUrl: inject("databaseUrl"),
});

export interface TestEnv {
  /** Builds an app over this environment's store and Redis prefix; several apps share them. */
  build(overrides?: Partial<Config>, options?: AppOptions): Promise<FastifyInstance>;
  readonly base: Config;
  cleanup(): Promise<void>;
}

/**
 * One isolated world per test: a fresh SQLite file or PostgreSQL schema and a Redis key prefix
 * of its own, removed afterwards, so test files can run in parallel against the shared services.
 */
export async function testEnv(store: StoreKind, overrides: Partial<Config> = {}): Promise<TestEnv> {
  const id = randomUUID().replaceAll("-", "").slice(0, 12);
  const dir = await mkdtemp(join(tmpdir(), "acb-test-"));
  const credentials = join(dir, "credentials.json");
  const entries = await Promise.all(
    Object.entries(USERS).map(async ([name, user]) => [
      name,
      { role: user.role, password_hash: await hashPassword(user.password, TEST_COST) },
    ]),
  );
  await writeFile(credentials, JSON.stringify(Object.fromEntries(entries)));
  const { redisUrl, databaseUrl } = services();
  const base = makeConfig({
    store,
    port: 0,
    sqlitePath: join(dir, "auth.sqlite"),
    pgSchema: `t_${id}`,
    redisKeyPrefix: `acb-test:${id}:`,
    credentials: [credentials],
    passwordCost: TEST_COST,
    logLevel: "silent",
    // Tests log in many times from one address; test/login-limits.test.ts turns the limits on.
    loginLimits: "off",
    ...(redisUrl ? { redisUrl } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...overrides,
  });
  const apps: FastifyInstance[] = [];
  return {
    base,
    build: async (more = {}, options = {}) => {
      const app = await buildApp({ ...base, ...more }, options);
      apps.push(app);
      return app;
    },
    cleanup: async () => {
      await Promise.allSettled(apps.map((app) => app.close()));
      if (store === "postgres" && databaseUrl) await dropPostgresSchema(databaseUrl, base.pgSchema);
      if (redisUrl) await deleteRedisKeys(redisUrl, base.redisKeyPrefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function login(app: FastifyInstance, username: Username): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: "/token",
    payload: { username, password: USERS[username].password },
  });
  if (response.statusCode !== 200)
    throw new Error(`login ${username}: ${response.statusCode} ${response.body}`);
  return response.json<{ access_token: string }>().access_token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function get(app: FastifyInstance, url: string, token?: string) {
  return app.inject({ method: "GET", url, headers: token === undefined ? {} : bearer(token) });
}
