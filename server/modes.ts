import type { JwtAlg } from "./auth/jwt-keys.js";
import type { CacheMode } from "./cache/token-cache.js";
import type { Config } from "./config.js";

/**
 * The ways of checking a JWT that the benchmarks set beside the cache modes: plain JWTs at each
 * algorithm (their cost spans 30×, so no one algorithm may speak for them), and the two ways of
 * revoking one, at the server's default algorithm unless told otherwise.
 */
const PLAIN_ALG = { "jwt-hs256": "HS256", "jwt-es256": "ES256", "jwt-eddsa": "EdDSA" } as const;
type JwtMode = keyof typeof PLAIN_ALG | "jwt-denylist" | "jwt-version";

/** Every way this server checks a token: opaque tokens in a cache mode, or JWTs. */
export type TokenMode = CacheMode | JwtMode;

export interface ModeChoices {
  /** The algorithm of jwt-denylist and jwt-version. */
  jwtAlg: JwtAlg;
  /** The cache jwt-version looks versions up through. */
  versionCache: CacheMode;
}

/** The server settings of one mode. */
export function modeSettings(
  mode: TokenMode,
  choices: Partial<ModeChoices> = {},
): Pick<Config, "tokens" | "jwtRevocation" | "jwtAlg" | "cache"> {
  // memory: the fastest, and its bound on a missed revocation is the cache TTL, as memory mode's.
  const { jwtAlg = "ES256", versionCache = "memory" } = choices;
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
