import { commandLine } from "../../lib/option-table.js";
import type { JwtAlg } from "../../server/auth/jwt-keys.js";
import { type Config, OPTIONS as SERVER_OPTIONS } from "../../server/config.js";
import { type ModeChoices, modeSettings, type TokenMode } from "../../server/modes.js";

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
    Pick<
      Config,
      | "localCacheTtl"
      | "loginLimits"
      | "hashQueue"
      | "coalesce"
      | "cacheTtlJitter"
      | "tokenTtl"
      | "redisCluster"
    >
  > & {
    /** Credentials files seeded besides the demo users' credentials.json. */
    credentials: readonly string[];
    /** The JWT modes' algorithm and version cache, and the key file of each algorithm. */
    jwt?: (Partial<ModeChoices> & { keyFiles: Partial<Record<JwtAlg, string>> }) | undefined;
  };

/** A benchmark's tokens must outlive every run it makes, unless it asks for a token's end. */
const TOKEN_TTL_SECONDS = 86_400;
/**
 * The harness logs in thousands of users from one address, many at once: unless a benchmark asks
 * for them (the login-flood scenario), its servers throttle no login and queue every one.
 */
const HARNESS_LOGINS = { loginLimits: "off", hashQueue: 1000 } as const;

/**
 * What a mode sets in its server: `ceiling` is auth switched off; an opaque mode only its cache,
 * so that an older server (an A/B run's base) that knows no JWT flag is started as it always was.
 */
function modeFlags(mode: TokenMode | "ceiling", jwt: ServerSetup["jwt"]): Partial<Config> {
  if (mode === "ceiling") return { auth: "off", cache: "none" };
  const settings = modeSettings(mode, jwt);
  if (settings.tokens === "opaque") return { cache: settings.cache };
  const jwtKey = jwt?.keyFiles[settings.jwtAlg];
  return { ...settings, ...(jwtKey ? { jwtKey } : {}) };
}

/** Command-line arguments of the reference server for one mode. */
export function serverArgs(mode: TokenMode | "ceiling", setup: ServerSetup): string[] {
  const { credentials, jwt, redisUrl, redisCluster, ...shared } = setup;
  // One Redis or a cluster, never both: the server refuses the pair.
  const redis = redisCluster && redisCluster.length > 0 ? { redisCluster } : { redisUrl };
  return commandLine(SERVER_OPTIONS, {
    port: 0,
    ...HARNESS_LOGINS,
    tokenTtl: TOKEN_TTL_SECONDS,
    ...shared,
    ...redis,
    credentials: ["credentials.json", ...credentials],
    ...modeFlags(mode, jwt),
  });
}
