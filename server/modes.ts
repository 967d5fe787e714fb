import type { JwtAlg } from "./auth/jwt-keys.js";
import type { CacheMode } from "./cache/token-cache.js";
import type { Config } from "./config.js";

/**
 * The ways of checking a JWT that the benchmarks set beside the cache modes: plain JWTs at each
 * algorithm (their cost spans 30×, so no one algorithm may speak for them), and the two ways of
 * revoking one, at the server's default algorithm unless told otherwise.
 */
export const PLAIN_ALG = {
  "jwt-hs256": "HS256",
  "jwt-es256": "ES256",
  "jwt-eddsa": "EdDSA",
} as const;
export type PlainJwtMode = keyof typeof PLAIN_ALG;
export const PLAIN_JWT_MODES = Object.keys(PLAIN_ALG) as PlainJwtMode[];
export const JWT_MODES = [...PLAIN_JWT_MODES, "jwt-denylist", "jwt-version"] as const;
export type JwtMode = (typeof JWT_MODES)[number];
export const isJwtMode = (mode: string): mode is JwtMode =>
  (JWT_MODES as readonly string[]).includes(mode);

/** Every way this server checks a token: opaque tokens in a cache mode, or JWTs. */
export type TokenMode = CacheMode | JwtMode;

export interface ModeChoices {
  /** The algorithm of jwt-denylist and jwt-version. */
  jwtAlg: JwtAlg;
  /** The cache jwt-version looks versions up through. */
  versionCache: CacheMode;
}

export type ModeSettings = Pick<Config, "tokens" | "jwtRevocation" | "jwtAlg" | "cache">;

/** jwt-version's cache unless told: the fastest, whose bound on a missed revocation is its TTL. */
export const DEFAULT_VERSION_CACHE: CacheMode = "memory";

/** The server settings of one mode. */
export function modeSettings(mode: TokenMode, choices: Partial<ModeChoices> = {}): ModeSettings {
  const { jwtAlg = "ES256", versionCache = DEFAULT_VERSION_CACHE } = choices;
  switch (mode) {
    case "jwt-hs256":
    case "jwt-es256":
    case "jwt-eddsa":
      return { tokens: "jwt", jwtRevocation: "none", jwtAlg: PLAIN_ALG[mode], cache: "none" };
    case "jwt-denylist":
      return { tokens: "jwt", jwtRevocation: "denylist", jwtAlg, cache: "none" };
    case "jwt-version":
      return { tokens: "jwt", jwtRevocation: "version", jwtAlg, cache: versionCache };
    default:
      return { tokens: "opaque", jwtRevocation: "none", jwtAlg, cache: mode };
  }
}

/** Whether a mode's server asks Redis on its request path. */
export const usesRedis = ({ cache, jwtRevocation }: ModeSettings): boolean =>
  cache === "redis" || cache === "tiered" || jwtRevocation === "denylist";

/**
 * Which servers accept one another's tokens: opaque sessions live in the store, so any opaque
 * server's; a JWT only a server with the same algorithm and key that reads the same claims.
 */
export const issuerOf = ({ tokens, jwtAlg, jwtRevocation }: ModeSettings): string =>
  tokens === "opaque" ? "opaque" : `jwt-${jwtAlg}-${jwtRevocation}`;
