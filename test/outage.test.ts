import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken } from "../server/auth/token.js";
import { bearer, get, login, services, type TestEnv, testEnv } from "./helpers/app.js";
import { eventually } from "./helpers/eventually.js";
import { startProxy, type TcpProxy } from "./helpers/tcp-proxy.js";

const { redisUrl, databaseUrl } = services();
const hostPort = (url: string) => ({
  host: new URL(url).hostname,
  port: Number(new URL(url).port),
});

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

describe.skipIf(!redisUrl)("Redis trouble", () => {
  let proxy: TcpProxy;
  let env: TestEnv;
  const REDIS_TIMEOUT_MS = 150;

  beforeEach(async () => {
    proxy = await startProxy(hostPort(redisUrl as string));
    env = await testEnv("sqlite", {
      cache: "redis",
      redisUrl: proxy.url("redis"),
      redisTimeoutMs: REDIS_TIMEOUT_MS,
    });
  });
  afterEach(async () => {
    await env.cleanup();
    await proxy.close();
  });

  it("answers from the store at once when Redis stops mid-test", async () => {
    const app = await env.build();
    const token = await login(app, "jane");
    expect((await get(app, "/items/", token)).statusCode).toBe(200);
    proxy.cut();
    for (let i = 0; i < 5; i++) {
      const [response, ms] = await timed(() => get(app, "/items/", token));
      expect(response.statusCode).toBe(200);
      expect(ms).toBeLessThan(1000);
    }
    expect((await get(app, "/items/", `${"B".repeat(43)}`)).statusCode).toBe(401);
    const health = (await get(app, "/health")).json();
    expect(health).toMatchObject({
      status: "degraded",
      cache: { healthy: false },
      store: { healthy: true },
    });
    expect((await get(app, "/metrics")).body).toMatch(/acb_cache_errors_total\{op="get"\} [1-9]/);
  });

  it("answers from the store within the command timeout when Redis stops answering", async () => {
    const app = await env.build();
    const token = await login(app, "jane");
    expect((await get(app, "/items/", token)).statusCode).toBe(200);
    proxy.blackhole();
    const [response, ms] = await timed(() => get(app, "/items/", token));
    expect(response.statusCode).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(REDIS_TIMEOUT_MS * 0.9);
    expect(ms).toBeLessThan(REDIS_TIMEOUT_MS + 1000);
  });

  it("bypasses the cache after a failed invalidation, until the tombstone is written", async () => {
    const app = await env.build();
    const token = await login(app, "jane");
    const other = await login(app, "alice");
    expect((await get(app, "/items/", token)).statusCode).toBe(200);
    proxy.cut();
    expect(
      (await app.inject({ method: "POST", url: "/logout", headers: bearer(token) })).statusCode,
    ).toBe(204);
    expect((await get(app, "/items/", token)).statusCode).toBe(401);
    expect((await get(app, "/items/", other)).statusCode).toBe(200);

    proxy.restore();
    await eventually(async () => (await get(app, "/health")).json().status === "ok");
    const redis = new Redis(redisUrl as string);
    try {
      expect(await redis.get(`${env.base.redisKeyPrefix}t:${hashToken(token)}`)).toBe("-");
    } finally {
      redis.disconnect();
    }
    expect((await get(app, "/items/", token)).statusCode).toBe(401);
    const hitsBefore = (await get(app, "/metrics")).body.match(/result="hit"\} (\d+)/)?.[1];
    await get(app, "/items/", other);
    await get(app, "/items/", other);
    const hitsAfter = (await get(app, "/metrics")).body.match(/result="hit"\} (\d+)/)?.[1];
    expect(Number(hitsAfter)).toBeGreaterThan(Number(hitsBefore));
  });

  it("refuses to start, naming the address, when Redis is unreachable", async () => {
    await proxy.close();
    await expect(env.build({ redisUrl: proxy.url("redis") })).rejects.toMatchObject({
      code: "ACB_REDIS_UNREACHABLE",
      message: expect.stringContaining(`127.0.0.1:${proxy.port}`),
    });
  });
});

describe.skipIf(!databaseUrl)("PostgreSQL trouble", () => {
  let proxy: TcpProxy;
  let env: TestEnv;

  beforeEach(async () => {
    proxy = await startProxy(hostPort(databaseUrl as string));
    const url = new URL(databaseUrl as string);
    url.port = String(proxy.port);
    url.hostname = "127.0.0.1";
    env = await testEnv("postgres", { databaseUrl: url.toString() });
  });
  afterEach(async () => {
    await env.cleanup();
    await proxy.close();
  });

  it("answers 503 with Retry-After, never 401, when the store goes away", async () => {
    const app = await env.build({ cache: "none" });
    const token = await login(app, "jane");
    expect((await get(app, "/items/", token)).statusCode).toBe(200);
    proxy.cut();
    const [response, ms] = await timed(() => get(app, "/items/", token));
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("1");
    expect(response.json().code).toBe("ACB_STORE_UNAVAILABLE");
    expect(ms).toBeLessThan(3000);
    const loginResponse = await app.inject({
      method: "POST",
      url: "/token",
      payload: { username: "jane", password: "x" },
    });
    expect(loginResponse.statusCode).toBe(503);
    expect((await get(app, "/health")).statusCode).toBe(503);
    proxy.restore();
    await eventually(async () => (await get(app, "/items/", token)).statusCode === 200);
  });

  it("keeps answering cached tokens from memory while the store is away", async () => {
    const app = await env.build({ cache: "memory" });
    const token = await login(app, "jane");
    expect((await get(app, "/items/", token)).statusCode).toBe(200);
    proxy.cut();
    expect((await get(app, "/items/", token)).statusCode).toBe(200);
    expect((await get(app, "/items/", `${"C".repeat(43)}`)).statusCode).toBe(503);
  });

  it("refuses to start, naming the address, when PostgreSQL is unreachable", async () => {
    await proxy.close();
    await expect(env.build({ pgSchema: "never_created" })).rejects.toMatchObject({
      code: "ACB_POSTGRES_UNREACHABLE",
      message: expect.stringContaining(`127.0.0.1:${proxy.port}`),
    });
  });
});

describe("SQLite trouble", () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv("sqlite");
  });
  afterEach(() => env.cleanup());

  it("answers 503 with Retry-After when the database stays locked by another writer", async () => {
    const app = await env.build();
    const token = await login(app, "jane");
    const other = new Database(env.base.sqlitePath);
    other.exec("BEGIN IMMEDIATE");
    try {
      const response = await app.inject({
        method: "POST",
        url: "/token",
        payload: { username: "jane", password: "password456" },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("1");
      // Readers are not blocked by a writer in WAL mode: checks go on.
      expect((await get(app, "/items/", token)).statusCode).toBe(200);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });
});
