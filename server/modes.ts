import type { JwtAlg } from "./auth/jwt-keys.js";
import { CACHE_MODES, type CacheMode } from "./cache/token-cache.js";
import type { Config } from "./config.js";

/**
 * The ways of checking a JWT that the benchmarks set beside the cache modes: plain JWTs at each
 * algorithm (their cost spans 30×, so no one algorithm may speak for them), and the two ways of
 * revoking one, at the server's default algorithm unless told otherwise.
 */
export const PLAIN_JWT_MODES = ["jwt-hs256", "jwt-es256", "jwt-eddsa"] as const;
export const JWT_MODES = [...PLAIN_JWT_MODES, "jwt-denylist", "jwt-version"] as const;
export type JwtMode = (typeof JWT_MODES)[number];

/** Every way this server checks a token: opaque tokens in a cache mode, or JWTs. */
export const TOKEN_MODES = [...CACHE_MODES, ...JWT_MODES] as const;
export type TokenMode = (typeof TOKEN_MODES)[number];

/** `jwt` in a list of modes stands for plain JWTs at every algorithm. */
export const JWT_SHORTHAND = "jwt";

export const isJwtMode = (mode: string): mode is JwtMode =>
  (JWT_MODES as readonly string[]).includes(mode);

const PLAIN_ALG: Readonly<Record<(typeof PLAIN_JWT_MODES)[number], JwtAlg>> = {
  "jwt-hs256": "HS256",
  "jwt-es256": "ES256",
  "jwt-eddsa": "EdDSA",
};

export interface ModeChoices {
  /** The algorithm of jwt-denylist and jwt-version. */
  jwtAlg: JwtAlg;
  /** The cache jwt-version looks versions up through. */
  versionCache: CacheMode;
}

/** memory: the fastest, and its bound on a missed revocation is the cache TTL, as memory mode's. */
export const MODE_DEFAULTS: Readonly<ModeChoices> = Object.freeze({
  jwtAlg: "ES256",
  versionCache: "memory",
});

export type ModeSettings = Pick<Config, "tokens" | "jwtRevocation" | "jwtAlg" | "cache">;

/** The server settings of one mode. */
export function modeSettings(mode: TokenMode, choices: Partial<ModeChoices> = {}): ModeSettings {
  const { jwtAlg, versionCache } = { ...MODE_DEFAULTS, ...choices };
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
