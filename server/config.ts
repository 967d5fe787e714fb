import { parseArgs } from "node:util";
import { formatCost, parseCost, type ScryptCost } from "./auth/password.js";
import { configInvalid } from "./errors.js";

export const CACHE_MODES = ["none", "memory", "redis"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];
export const STORE_KINDS = ["sqlite", "postgres"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export const AUTH_SWITCH = ["on", "off"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "silent"] as const;

export interface Config {
  host: string;
  port: number;
  cache: CacheMode;
  store: StoreKind;
  tokenTtl: number;
  cacheTtl: number;
  cacheMax: number;
  originLatencyMs: number;
  redisUrl: string;
  redisTimeoutMs: number;
  redisKeyPrefix: string;
  databaseUrl: string;
  pgSchema: string;
  sqlitePath: string;
  credentials: string[];
  passwordCost: ScryptCost;
  auth: (typeof AUTH_SWITCH)[number];
  authOffUser: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** The one place where defaults live. */
export const DEFAULTS: Readonly<Config> = Object.freeze({
  host: "127.0.0.1",
  port: 8000,
  cache: "none",
  store: "sqlite",
  tokenTtl: 3600,
  cacheTtl: 60,
  cacheMax: 100_000,
  originLatencyMs: 0,
  redisUrl: "redis://127.0.0.1:6379",
  redisTimeoutMs: 200,
  redisKeyPrefix: "acb:",
  databaseUrl: "postgres://postgres@127.0.0.1:5432/postgres",
  pgSchema: "public",
  sqlitePath: "data/auth.sqlite",
  credentials: ["credentials.json"],
  // OWASP Password Storage Cheat Sheet: N=2^15, r=8, p=3 is one of its equivalent minimums,
  // chosen over N=2^17, p=1 because it needs 32 MiB per hash instead of 128 MiB.
  passwordCost: Object.freeze({ ln: 15, r: 8, p: 3 }),
  auth: "on",
  authOffUser: "",
  logLevel: "warn",
});

/**
 * Synthetic load users log in thousands of times; their hashes carry this cheaper cost in their own
 * PHC strings, and every report states it.
 */
export const LOAD_USER_COST: Readonly<ScryptCost> = Object.freeze({ ln: 10, r: 8, p: 1 });

type Parser<K extends keyof Config> = (raw: string) => Config[K];
type Check<K extends keyof Config> = (value: Config[K]) => string | undefined;

interface OptionSpec<K extends keyof Config> {
  flag: string;
  env: string;
  help: string;
  parse: Parser<K>;
  check?: Check<K>;
}

type OptionTable = { [K in keyof Config]: OptionSpec<K> };

const integer = (raw: string): number => (raw.trim() === "" ? Number.NaN : Number(raw));
const inRange =
  (min: number, max: number) =>
  (value: number): string | undefined =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;
// Enum values are parsed as they are and then rejected by memberOf when they are not members.
const oneOf =
  <T extends string>() =>
  (raw: string): T =>
    raw as T;
const memberOf =
  <T extends string>(values: readonly T[]) =>
  (value: T): string | undefined =>
    values.includes(value) ? undefined : `must be one of ${values.join(", ")}`;
const urlWithScheme =
  (...schemes: string[]) =>
  (value: string): string | undefined => {
    try {
      const url = new URL(value);
      return schemes.includes(url.protocol) ? undefined : `must be a ${schemes.join(" or ")} URL`;
    } catch {
      return `must be a ${schemes.join(" or ")} URL`;
    }
  };
const text = (raw: string) => raw;
const nonEmpty = (value: string) => (value.length > 0 ? undefined : "must not be empty");

export const OPTIONS: OptionTable = {
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
  cache: {
    flag: "cache",
    env: "ACB_CACHE",
    help: `cache mode: ${CACHE_MODES.join(" | ")}`,
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
    help: "entries the memory cache holds at most",
    parse: integer,
    check: inRange(1, 100_000_000),
  },
  originLatencyMs: {
    flag: "origin-latency-ms",
    env: "ACB_ORIGIN_LATENCY_MS",
    help: "fixed delay added to every store read, to model a store further away",
    parse: integer,
    check: inRange(0, 60_000),
  },
  redisUrl: {
    flag: "redis-url",
    env: "REDIS_URL",
    help: "Redis for the redis cache mode",
    parse: text,
    check: urlWithScheme("redis:", "rediss:"),
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
  databaseUrl: {
    flag: "database-url",
    env: "DATABASE_URL",
    help: "PostgreSQL for --store postgres",
    parse: text,
    check: urlWithScheme("postgres:", "postgresql:"),
  },
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
    parse: (raw) =>
      raw
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    check: (value) => (value.length > 0 ? undefined : "must name at least one file"),
  },
  passwordCost: {
    flag: "password-cost",
    env: "ACB_PASSWORD_COST",
    help: "scrypt cost for hashes this server writes, as ln=N,r=R,p=P",
    parse: (raw) => parseCost(raw) ?? { ln: Number.NaN, r: Number.NaN, p: Number.NaN },
    check: (value) =>
      Number.isNaN(value.ln) ? "must look like ln=15,r=8,p=3 (ln 1-20, r 1-32, p 1-16)" : undefined,
  },
  auth: {
    flag: "auth",
    env: "ACB_AUTH",
    help: "off serves protected routes without checking tokens (the ceiling); never the default",
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

const KEYS = Object.keys(OPTIONS) as (keyof Config)[];

function checkOne<K extends keyof Config>(key: K, value: Config[K], source: string): void {
  const problem = OPTIONS[key].check?.(value);
  if (problem !== undefined) {
    throw configInvalid(`${source} ${problem}, got ${JSON.stringify(show(value))}`);
  }
}

function show(value: unknown): unknown {
  if (typeof value === "object" && value !== null && "ln" in value) {
    return formatCost(value as ScryptCost);
  }
  return Number.isNaN(value) ? "not a number" : value;
}

/** Merges overrides over the defaults and validates every field; used by tests and by loadConfig. */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const config: Config = { ...DEFAULTS, ...overrides };
  for (const key of KEYS) checkOne(key, config[key], key);
  return config;
}

/** Reads flags over environment variables over defaults. Throws ACB_CONFIG_INVALID naming the bad input. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const flagOptions = Object.fromEntries(
    KEYS.map((key) => [OPTIONS[key].flag, { type: "string" as const }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: flagOptions,
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw configInvalid((error as Error).message.split("\n")[0] ?? "bad arguments");
  }
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const key of KEYS) {
    const spec = OPTIONS[key];
    const fromFlag = parsed.values[spec.flag];
    const fromEnv = env[spec.env];
    const raw = typeof fromFlag === "string" ? fromFlag : fromEnv;
    if (raw === undefined) continue;
    const source = typeof fromFlag === "string" ? `--${spec.flag}` : spec.env;
    const value = (spec.parse as Parser<typeof key>)(raw);
    checkOne(key, value, source);
    config[key] = value;
  }
  return config as unknown as Config;
}

/** The --help text, built from the same table that parses the flags. */
export function usage(command: string): string {
  const rows = KEYS.map((key) => {
    const spec = OPTIONS[key];
    const fallback = show(DEFAULTS[key]);
    const shown = Array.isArray(fallback) ? fallback.join(",") : String(fallback);
    return `  --${spec.flag.padEnd(20)} ${spec.help} [${spec.env}; default ${shown === "" ? "none" : shown}]`;
  });
  return [`Usage: ${command} [options]`, "", ...rows].join("\n");
}
