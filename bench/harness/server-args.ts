import { commandLine } from "../../lib/option-table.js";
import type { CacheMode } from "../../server/cache/token-cache.js";
import { type Config, OPTIONS as SERVER_OPTIONS } from "../../server/config.js";

/** What every server process of one benchmark shares: the store, Redis, the users, the cache settings. */
export type ServerSetup = Pick<
  Config,
  | "store"
  | "sqlitePath"
  | "pgSchema"
  | "databaseUrl"
  | "redisUrl"
  | "redisKeyPrefix"
  | "cacheTtl"
  | "cacheMax"
  | "originLatencyMs"
> &
  Partial<
    Pick<Config, "localCacheTtl" | "loginLimits" | "hashQueue" | "coalesce" | "cacheTtlJitter">
  > & {
    /** Credentials files seeded besides the demo users' credentials.json. */
    credentials: readonly string[];
  };

/** A benchmark's tokens must outlive every run it makes. */
const TOKEN_TTL_SECONDS = 86_400;
/**
 * The harness logs in thousands of users from one address, many at once: unless a benchmark asks
 * for them (the login-flood scenario), its servers throttle no login and queue every one.
 */
const HARNESS_LOGINS = { loginLimits: "off", hashQueue: 1000 } as const;

/** Command-line arguments of the reference server for one mode; `ceiling` is auth switched off. */
export function serverArgs(mode: CacheMode | "ceiling", setup: ServerSetup): string[] {
  const { credentials, ...shared } = setup;
  return commandLine(SERVER_OPTIONS, {
    port: 0,
    ...HARNESS_LOGINS,
    ...shared,
    credentials: ["credentials.json", ...credentials],
    tokenTtl: TOKEN_TTL_SECONDS,
    ...(mode === "ceiling" ? { auth: "off", cache: "none" } : { cache: mode }),
  });
}
