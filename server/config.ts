import { availableParallelism } from "node:os";
import { configInvalid } from "../lib/errors.js";
import {
  checkAll,
  givenOptions,
  inRange,
  integer,
  list,
  memberOf,
  nonEmpty,
  numberInRange,
  type OptionTable,
  oneOf,
  parseOptions,
  text,
  usageText,
} from "../lib/option-table.js";
import { databaseUrlOption, redisUrlOption } from "../lib/shared-options.js";
import { JWT_ALGS, type JwtAlg } from "./auth/jwt-keys.js";
import { JWT_REVOCATIONS, type JwtRevocationKind } from "./auth/jwt-revocation.js";
import { formatCost, parseCost, type ScryptCost } from "./auth/password.js";
import { TOKEN_KINDS, type TokenKind } from "./auth/tokens.js";
import { CACHE_MODES, type CacheMode } from "./cache/token-cache.js";
import { STORE_KINDS, type StoreKind } from "./store/store.js";

export const AUTH_SWITCH = ["on", "off"] as const;
export const LIMITS_SWITCH = ["on", "off"] as const;
export const LIMITS_STORES = ["auto", "memory", "redis"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "silent"] as const;

/** host:port with a port from 1 to 65535. */
const HOST_PORT =
  /^[^\s:,]+:(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;

export interface Config {
  host: string;
  port: number;
  instances: number;
  cache: CacheMode;
  store: StoreKind;
  tokenTtl: number;
  tokens: TokenKind;
  jwtAlg: JwtAlg;
  /** A PEM or JWK file; "" generates a key at start. */
  jwtKey: string;
  jwtRevocation: JwtRevocationKind;
  /** Seconds fast-jwt keeps a verified token; 0: off. */
  jwtVerifyCache: number;
  cacheTtl: number;
  cacheMax: number;
  /** Each entry's TTL is shortened by up to this fraction, at random, so entries do not expire together. */
  cacheTtlJitter: number;
  /** on: concurrent misses for one token share one store lookup per process. */
  coalesce: (typeof AUTH_SWITCH)[number];
  localCacheTtl: number;
  originLatencyMs: number;
  redisUrl: string;
  /** A Redis Cluster's seed nodes (host:port) instead of --redis-url; empty: one Redis. */
  redisCluster: string[];
  redisTimeoutMs: number;
  redisKeyPrefix: string;
  databaseUrl: string;
  pgSchema: string;
  sqlitePath: string;
  credentials: string[];
  passwordCost: ScryptCost;
  hashConcurrency: number;
  hashQueue: number;
  loginLimits: (typeof LIMITS_SWITCH)[number];
  loginLimitsStore: (typeof LIMITS_STORES)[number];
  loginAddressLimit: number;
  loginAddressWindow: number;
  loginFreeFailures: number;
  loginBackoffMax: number;
  loginHoldMs: number;
  auth: (typeof AUTH_SWITCH)[number];
  injectCpuUs: number;
  tieredBroadcast: (typeof AUTH_SWITCH)[number];
  authOffUser: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** The one place where defaults live. */
export const DEFAULTS: Readonly<Config> = Object.freeze({
  host: "127.0.0.1",
  port: 8000,
  instances: 1,
  cache: "none",
  store: "sqlite",
  tokenTtl: 3600,
  tokens: "opaque",
  // What identity providers sign with most often; HS256 needs the secret on every verifier.
  jwtAlg: "ES256",
  jwtKey: "",
  jwtRevocation: "none",
  jwtVerifyCache: 0,
  cacheTtl: 60,
  cacheMax: 100_000,
  // Entries filled together (a deploy, a flush) would otherwise expire together and stampede the store.
  cacheTtlJitter: 0.1,
  coalesce: "on",
  // Short: in tiered mode a missed invalidation message can keep a token alive this long at most.
  localCacheTtl: 5,
  originLatencyMs: 0,
  redisUrl: "redis://127.0.0.1:6379",
  redisCluster: [],
  redisTimeoutMs: 200,
  redisKeyPrefix: "acb:",
  databaseUrl: "postgres://postgres@127.0.0.1:5432/postgres",
  pgSchema: "public",
  sqlitePath: "data/auth.sqlite",
  credentials: ["credentials.json"],
  // OWASP Password Storage Cheat Sheet: N=2^15, r=8, p=3 is one of its equivalent minimums,
  // chosen over N=2^17, p=1 because it needs 32 MiB per hash instead of 128 MiB.
  passwordCost: Object.freeze({ ln: 15, r: 8, p: 3 }),
  // One core is left to the token path whatever the logins do.
  hashConcurrency: Math.max(1, availableParallelism() - 1),
  // At the default cost a queued login waits at most about half a second.
  hashQueue: 2,
  loginLimits: "on",
  loginLimitsStore: "auto",
  loginAddressLimit: 30,
  loginAddressWindow: 60,
  loginFreeFailures: 5,
  // OWASP: back off, do not lock out; a quarter of an hour is the longest wait.
  loginBackoffMax: 900,
  loginHoldMs: 1000,
  auth: "on",
  injectCpuUs: 0,
  tieredBroadcast: "on",
  authOffUser: "",
  logLevel: "warn",
});

/**
 * Synthetic load users log in thousands of times; their hashes carry this cheaper cost in their own
 * PHC strings, and every report states it.
 */
export const LOAD_USER_COST: Readonly<ScryptCost> = Object.freeze({ ln: 10, r: 8, p: 1 });

export const OPTIONS: OptionTable<Config> = {
  host: {
    flag: "host",
    env: "ACB_HOST",
    help: "address to listen on",
    parse: text,
    check: nonEmpty,
  },
  port: {
    flag: "port",
    env: "ACB_PORT",
    help: "port to listen on; 0 picks a free one (the ready line says which)",
    parse: integer,
    check: inRange(0, 65535),
  },
  instances: {
    flag: "instances",
    env: "ACB_INSTANCES",
    help: "server processes sharing the port (node:cluster), the store and Redis",
    parse: integer,
    check: inRange(1, 64),
  },
  cache: {
    flag: "cache",
    env: "ACB_CACHE",
    help: `cache mode: ${CACHE_MODES.join(" | ")} (of sessions; with --jwt-revocation version, of token versions)`,
    parse: oneOf<(typeof CACHE_MODES)[number]>(),
    check: memberOf(CACHE_MODES),
  },
  store: {
    flag: "store",
    env: "ACB_STORE",
    help: `source of truth: ${STORE_KINDS.join(" | ")}`,
    parse: oneOf<(typeof STORE_KINDS)[number]>(),
    check: memberOf(STORE_KINDS),
  },
  tokenTtl: {
    flag: "token-ttl",
    env: "ACB_TOKEN_TTL",
    help: "seconds a token lives",
    parse: integer,
    check: inRange(1, 31_536_000),
  },
  tokens: {
    flag: "tokens",
    env: "ACB_TOKENS",
    help: `what /token issues: ${TOKEN_KINDS.join(" | ")} (random, checked against the store) or signed JWTs`,
    parse: oneOf<TokenKind>(),
    check: memberOf(TOKEN_KINDS),
  },
  jwtAlg: {
    flag: "jwt-alg",
    env: "ACB_JWT_ALG",
    help: `with --tokens jwt: the one algorithm signed and accepted: ${JWT_ALGS.join(" | ")}`,
    parse: oneOf<JwtAlg>(),
    check: memberOf(JWT_ALGS),
  },
  jwtKey: {
    flag: "jwt-key",
    env: "ACB_JWT_KEY",
    help: "with --tokens jwt: the signing key, a PEM or JWK file (default: one generated at start, never logged)",
    parse: text,
  },
  jwtRevocation: {
    flag: "jwt-revocation",
    env: "ACB_JWT_REVOCATION",
    help: `with --tokens jwt: ${JWT_REVOCATIONS.join(" | ")} (none: a token lives until it expires; denylist: jti and per-user not-before in Redis; version: per-user token version in the store, through --cache)`,
    parse: oneOf<JwtRevocationKind>(),
    check: memberOf(JWT_REVOCATIONS),
  },
  jwtVerifyCache: {
    flag: "jwt-verify-cache",
    env: "ACB_JWT_VERIFY_CACHE",
    help: "with --tokens jwt: seconds fast-jwt keeps a verified token without verifying it again (0: off)",
    parse: integer,
    check: inRange(0, 86_400),
  },
  cacheTtl: {
    flag: "cache-ttl",
    env: "ACB_CACHE_TTL",
    help: "seconds a cache entry lives at most (never past its token's expiry)",
    parse: integer,
    check: inRange(1, 86_400),
  },
  cacheMax: {
    flag: "cache-max",
    env: "ACB_CACHE_MAX",
    help: "entries the memory cache (and the in-process tier of tiered) holds at most",
    parse: integer,
    check: inRange(1, 100_000_000),
  },
  cacheTtlJitter: {
    flag: "cache-ttl-jitter",
    env: "ACB_CACHE_TTL_JITTER",
    help: "shorten each cache entry's TTL by up to this fraction, at random, so that entries filled together do not expire together (0: off)",
    parse: integer,
    check: numberInRange(0, 0.9),
  },
  coalesce: {
    flag: "coalesce",
    env: "ACB_COALESCE",
    help: "on: concurrent cache misses for one token share one store lookup per process (single-flight); cache modes only",
    parse: oneOf<(typeof AUTH_SWITCH)[number]>(),
    check: memberOf(AUTH_SWITCH),
  },
  localCacheTtl: {
    flag: "local-cache-ttl",
    env: "ACB_LOCAL_CACHE_TTL",
    help: "tiered mode: seconds an entry lives in the in-process tier (the bound on a missed invalidation)",
    parse: integer,
    check: inRange(1, 86_400),
  },
  originLatencyMs: {
    flag: "origin-latency-ms",
    env: "ACB_ORIGIN_LATENCY_MS",
    help: "fixed delay (ms, a round trip: half before the read, half after) added to every store read, to model a store further away; 0 or from 1",
    parse: integer,
    check: (value) =>
      value > 0 && value < 1
        ? "must be 0 or at least 1: Node's timers resolve about 1 ms, and a busy wait would count as the server's CPU; for a store under 1 ms away use a real one (--store sqlite, or postgres over TCP)"
        : numberInRange(0, 60_000)(value),
  },
  redisUrl: redisUrlOption("Redis for the redis cache mode"),
  redisCluster: {
    flag: "redis-cluster",
    env: "ACB_REDIS_CLUSTER",
    help: "a Redis Cluster instead of --redis-url: seed nodes as host:port[,host:port…]",
    parse: list,
    check: (nodes) =>
      nodes.every((node) => HOST_PORT.test(node))
        ? undefined
        : "must be host:port[,host:port…] (each port from 1 to 65535)",
    show: (nodes) => (nodes.length > 0 ? nodes.join(",") : "none"),
  },
  redisTimeoutMs: {
    flag: "redis-timeout-ms",
    env: "ACB_REDIS_TIMEOUT_MS",
    help: "a Redis command slower than this counts as a cache error and falls through to the store",
    parse: integer,
    check: inRange(1, 10_000),
  },
  redisKeyPrefix: {
    flag: "redis-key-prefix",
    env: "ACB_REDIS_KEY_PREFIX",
    help: "prefix of every Redis key this server writes",
    parse: text,
    check: nonEmpty,
  },
  databaseUrl: databaseUrlOption("PostgreSQL for --store postgres"),
  pgSchema: {
    flag: "pg-schema",
    env: "ACB_PG_SCHEMA",
    help: "PostgreSQL schema holding the tables (created when missing)",
    parse: text,
    check: (value) =>
      /^[a-z_][a-z0-9_]{0,62}$/.test(value) ? undefined : "must be a lower-case SQL identifier",
  },
  sqlitePath: {
    flag: "sqlite-path",
    env: "ACB_SQLITE_PATH",
    help: "SQLite database file (created when missing; WAL, shareable by several servers)",
    parse: text,
    check: nonEmpty,
  },
  credentials: {
    flag: "credentials",
    env: "ACB_CREDENTIALS",
    help: "comma-separated credentials files seeded into the store at start",
    parse: list,
    check: (value) => (value.length > 0 ? undefined : "must name at least one file"),
  },
  passwordCost: {
    flag: "password-cost",
    env: "ACB_PASSWORD_COST",
    help: "scrypt cost for hashes this server writes, as ln=N,r=R,p=P",
    parse: (raw) => parseCost(raw) ?? { ln: Number.NaN, r: Number.NaN, p: Number.NaN },
    check: (value) =>
      Number.isNaN(value.ln) ? "must look like ln=15,r=8,p=3 (ln 1-20, r 1-32, p 1-16)" : undefined,
    show: formatCost,
  },
  hashConcurrency: {
    flag: "hash-concurrency",
    env: "ACB_HASH_CONCURRENCY",
    help: "password hashes computed at once at most",
    parse: integer,
    check: inRange(1, 64),
    // The default depends on the machine; --help (and the docs made from it) say how.
    show: () => "cores - 1, at least 1",
  },
  hashQueue: {
    flag: "hash-queue",
    env: "ACB_HASH_QUEUE",
    help: "logins that may wait for a hashing slot; beyond them 503 with Retry-After at once",
    parse: integer,
    check: inRange(0, 1000),
  },
  loginLimits: {
    flag: "login-limits",
    env: "ACB_LOGIN_LIMITS",
    help: "throttle logins per client address and per account; off only to benchmark login cost",
    parse: oneOf<(typeof LIMITS_SWITCH)[number]>(),
    check: memberOf(LIMITS_SWITCH),
  },
  loginLimitsStore: {
    flag: "login-limits-store",
    env: "ACB_LOGIN_LIMITS_STORE",
    help: "where login counts live: memory (per instance) | redis (shared) | auto (redis when the cache uses Redis)",
    parse: oneOf<(typeof LIMITS_STORES)[number]>(),
    check: memberOf(LIMITS_STORES),
  },
  loginAddressLimit: {
    flag: "login-address-limit",
    env: "ACB_LOGIN_ADDRESS_LIMIT",
    help: "login attempts per client address per --login-address-window; beyond them 429",
    parse: integer,
    check: inRange(1, 1_000_000),
  },
  loginAddressWindow: {
    flag: "login-address-window",
    env: "ACB_LOGIN_ADDRESS_WINDOW",
    help: "seconds over which a client address's login attempts are counted",
    parse: integer,
    check: inRange(1, 86_400),
  },
  loginFreeFailures: {
    flag: "login-free-failures",
    env: "ACB_LOGIN_FREE_FAILURES",
    help: "failed logins of an account before it waits 1 s, doubling with each further failure",
    parse: integer,
    check: inRange(0, 1000),
  },
  loginBackoffMax: {
    flag: "login-backoff-max",
    env: "ACB_LOGIN_BACKOFF_MAX",
    help: "seconds an account waits at most; a successful login resets its failures",
    parse: integer,
    check: inRange(1, 86_400),
  },
  loginHoldMs: {
    flag: "login-hold-ms",
    env: "ACB_LOGIN_HOLD_MS",
    help: "milliseconds a throttled login is held before its 429, so a retry loop cannot flood",
    parse: integer,
    check: inRange(0, 60_000),
  },
  auth: {
    flag: "auth",
    env: "ACB_AUTH",
    help: "off serves protected routes without checking tokens (the ceiling); never the default",
    parse: oneOf<(typeof AUTH_SWITCH)[number]>(),
    check: memberOf(AUTH_SWITCH),
  },
  injectCpuUs: {
    flag: "inject-cpu-us",
    env: "ACB_INJECT_CPU_US",
    help: "spend this many µs of CPU on every authenticated request: a known cost, for calibration; never in use",
    parse: integer,
    check: inRange(0, 1_000_000),
  },
  tieredBroadcast: {
    flag: "tiered-broadcast",
    env: "ACB_TIERED_BROADCAST",
    help: "tiered: off skips the invalidation broadcast, breaking the mode on purpose to test the revocation benchmark; never in use",
    parse: oneOf<(typeof AUTH_SWITCH)[number]>(),
    check: memberOf(AUTH_SWITCH),
  },
  authOffUser: {
    flag: "auth-off-user",
    env: "ACB_AUTH_OFF_USER",
    help: "with --auth off, the user every request runs as (default: the first non-admin user)",
    parse: text,
  },
  logLevel: {
    flag: "log-level",
    env: "ACB_LOG_LEVEL",
    help: `server log level on stderr: ${LOG_LEVELS.join(" | ")}`,
    parse: oneOf<(typeof LOG_LEVELS)[number]>(),
    check: memberOf(LOG_LEVELS),
  },
};

/** Merges overrides over the defaults and validates every field; used by tests and by library callers. */
export const makeConfig = (overrides: Partial<Config> = {}): Config =>
  checkAll(OPTIONS, { ...DEFAULTS, ...overrides });

/** Reads flags over environment variables over defaults. Throws ACB_CONFIG_INVALID naming the bad input. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const config = parseOptions(OPTIONS, DEFAULTS, argv, env);
  if (config.redisCluster.length > 0 && givenOptions(OPTIONS, argv, env).has("redisUrl")) {
    throw configInvalid(
      "--redis-cluster and --redis-url (or REDIS_URL) name two different Redis deployments: give one",
    );
  }
  return config;
}

export const usage = (command: string): string => usageText(OPTIONS, DEFAULTS, command);
