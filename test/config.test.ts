import { describe, expect, it } from "vitest";
import { serverArgs } from "../bench/harness/server-args.js";
import { commandLine } from "../lib/option-table.js";
import { DEFAULTS, loadConfig, makeConfig, OPTIONS, usage } from "../server/config.js";

describe("configuration", () => {
  it("has valid defaults, with authentication on", () => {
    expect(makeConfig()).toEqual(DEFAULTS);
    expect(DEFAULTS.auth).toBe("on");
  });

  it("takes flags over environment variables over defaults", () => {
    const config = loadConfig(["--cache", "redis", "--port", "0"], {
      ACB_CACHE: "memory",
      ACB_CACHE_TTL: "5",
      REDIS_URL: "redis://10.0.0.1:6380",
    });
    expect(config).toMatchObject({
      cache: "redis",
      port: 0,
      cacheTtl: 5,
      redisUrl: "redis://10.0.0.1:6380",
      store: "sqlite",
    });
  });

  it("reads the scrypt cost and the credentials list", () => {
    const config = loadConfig(
      ["--password-cost", "ln=10,r=8,p=1", "--credentials", "a.json, b.json"],
      {},
    );
    expect(config.passwordCost).toEqual({ ln: 10, r: 8, p: 1 });
    expect(config.credentials).toEqual(["a.json", "b.json"]);
  });

  it.each([
    [["--port", "http"], "--port must be an integer from 0 to 65535"],
    [["--port", "70000"], "--port must be an integer from 0 to 65535"],
    [["--cache", "disk"], "--cache must be one of none, memory, redis, tiered"],
    [["--cache-ttl", "0"], "--cache-ttl must be an integer from 1"],
    [["--redis-url", "http://x"], "--redis-url must be a redis: or rediss: URL"],
    [["--database-url", "mysql://x"], "--database-url must be a postgres: or postgresql: URL"],
    [["--password-cost", "ln=40,r=8,p=1"], "--password-cost must look like"],
    [["--pg-schema", "x; drop"], "--pg-schema must be a lower-case SQL identifier"],
    [["--bogus", "1"], "Unknown option '--bogus'"],
    [["--redis-cluster", "127.0.0.1"], "--redis-cluster must be host:port[,host:port…]"],
    [["--redis-cluster", "a:1,b:70000"], "--redis-cluster must be host:port[,host:port…]"],
    [
      ["--redis-cluster", "127.0.0.1:7000", "--redis-url", "redis://127.0.0.1:6379"],
      "--redis-cluster and --redis-url (or REDIS_URL) name two different Redis deployments: give one",
    ],
  ])("rejects %j naming the flag", (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(
      expect.objectContaining({
        code: "ACB_CONFIG_INVALID",
        message: expect.stringContaining(message),
      }),
    );
  });

  it("takes a cluster's seed nodes, and refuses them beside REDIS_URL", () => {
    expect(loadConfig(["--redis-cluster", "10.0.0.1:7000,redis-b:7001"], {}).redisCluster).toEqual([
      "10.0.0.1:7000",
      "redis-b:7001",
    ]);
    expect(() =>
      loadConfig(["--redis-cluster", "10.0.0.1:7000"], { REDIS_URL: "redis://x:6379" }),
    ).toThrow(/--redis-cluster and --redis-url \(or REDIS_URL\)/);
  });

  it("names the environment variable when that is where the bad value came from", () => {
    expect(() => loadConfig([], { ACB_STORE: "mysql" })).toThrow(
      /ACB_STORE must be one of sqlite, postgres/,
    );
  });

  it("documents every option in --help", () => {
    const text = usage("server");
    for (const spec of Object.values(OPTIONS)) {
      expect(text).toContain(`--${spec.flag}`);
      expect(text).toContain(spec.env);
    }
  });

  it("writes back, as a command line, exactly the configuration the server then reads", () => {
    const setup = {
      store: "postgres" as const,
      sqlitePath: "data/x.sqlite",
      pgSchema: "acb_bench_1",
      databaseUrl: "postgres://u:p@127.0.0.1:5432/db",
      redisUrl: "redis://127.0.0.1:6390",
      redisKeyPrefix: "acb:bench:1:",
      cacheTtl: 7,
      cacheMax: 1234,
      originLatencyMs: 3,
      localCacheTtl: 2,
      credentials: ["data/users.json"],
    };
    const { credentials, ...shared } = setup;
    expect(loadConfig(serverArgs("tiered", setup), {})).toEqual({
      ...DEFAULTS,
      ...shared,
      port: 0,
      tokenTtl: 86_400,
      loginLimits: "off",
      hashQueue: 1000,
      cache: "tiered",
      credentials: ["credentials.json", ...credentials],
    });
    expect(loadConfig(serverArgs("ceiling", setup), {})).toMatchObject({
      auth: "off",
      cache: "none",
    });
    const cost = { ln: 12, r: 8, p: 2 };
    expect(loadConfig(commandLine(OPTIONS, { passwordCost: cost }), {}).passwordCost).toEqual(cost);
    expect(() => commandLine(OPTIONS, { cacheTtl: 0 })).toThrow(/--cache-ttl must be an integer/);
  });
});
