import { randomBytes } from "node:crypto";
import { createSigner, createVerifier } from "fast-jwt";
import { tokenInvalid } from "../errors.js";
import { type Principal, ROLES, type Role } from "../store/store.js";
import { type JwtKeys, libraryKeys } from "./jwt-keys.js";

/** What this server's JWTs carry. `ver` only in jwt-version mode. */
export interface JwtClaims {
  /** The user's id, as a string (RFC 7519 section 4.1.2). */
  sub: string;
  preferred_username: string;
  role: Role;
  /** Whole seconds since the epoch, as RFC 7519 counts them (fast-jwt writes whole seconds). */
  iat: number;
  exp: number;
  jti: string;
  ver?: number;
}

export interface JwtSubject {
  id: number;
  username: string;
  role: Role;
  tokenVersion: number;
}

export interface JwtCodec {
  /**
   * `notBefore` (seconds) is the earliest iat the token may carry: jwt-denylist ends a user's older
   * tokens by their iat, so one issued in the same second as a password change must say it came
   * after it.
   */
  sign(user: JwtSubject, notBefore?: number): { token: string; claims: JwtClaims };
  /** The claims of a token this server signed and that has not expired; else 401 invalid_token. */
  verify(token: string): JwtClaims;
}

export interface JwtCodecOptions {
  keys: JwtKeys;
  ttlSeconds: number;
  /** Whether tokens carry the user's token version (jwt-version). */
  versioned: boolean;
  clock: () => number;
  /**
   * fast-jwt's own cache of verified tokens, in seconds; 0 turns it off. A token it holds is not
   * verified again for that long: harmless for the signature, but it is one more place a token
   * is remembered, so reports state it.
   */
  verifyCacheSeconds: number;
}

const JTI_BYTES = 16;
const VERIFY_CACHE_ENTRIES = 100_000;

/** The library checked the signature; these are the claims this server relies on. */
function ours(payload: Record<string, unknown>, versioned: boolean): JwtClaims | undefined {
  const { sub, preferred_username, role, iat, exp, jti, ver } = payload;
  const whole =
    typeof sub === "string" &&
    typeof preferred_username === "string" &&
    typeof role === "string" &&
    (ROLES as readonly string[]).includes(role) &&
    Number.isInteger(iat) &&
    Number.isInteger(exp) &&
    typeof jti === "string" &&
    (!versioned || Number.isInteger(ver));
  return whole ? (payload as unknown as JwtClaims) : undefined;
}

/**
 * Signs and verifies with fast-jwt, chosen by `npm run bench:micro -- --suite jwt`: its verifier is
 * synchronous, so a token check costs no promise, and it verified faster than jose at every
 * algorithm here (HS256 19 µs against 169, ES256 138 against 291, EdDSA 158 against 325).
 * The accepted algorithm is pinned to the one configured: a token naming another one — `none`,
 * or HS256 with the public key as its secret — fails before its signature is looked at.
 * Expiry is checked here against the app's clock, not the library's, so that tests can move it.
 */
export function createJwtCodec(options: JwtCodecOptions): JwtCodec {
  const { keys, ttlSeconds, versioned, clock } = options;
  const pem = libraryKeys(keys);
  // iat is the payload's own (the signer keeps it), so that the app's clock decides it.
  const signer = createSigner({ key: pem.signing, algorithm: keys.alg });
  const verifier = createVerifier({
    key: pem.verifying,
    algorithms: [keys.alg],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: options.verifyCacheSeconds > 0 ? VERIFY_CACHE_ENTRIES : false,
    cacheTTL: options.verifyCacheSeconds * 1000,
  });
  return {
    sign: (user, notBefore = 0) => {
      const iat = Math.max(Math.floor(clock() / 1000), notBefore);
      const claims: JwtClaims = {
        sub: String(user.id),
        preferred_username: user.username,
        role: user.role,
        iat,
        exp: iat + ttlSeconds,
        jti: randomBytes(JTI_BYTES).toString("base64url"),
        ...(versioned ? { ver: user.tokenVersion } : {}),
      };
      return { token: signer(claims), claims };
    },
    verify: (token) => {
      let payload: Record<string, unknown>;
      try {
        payload = verifier(token) as Record<string, unknown>;
      } catch {
        throw tokenInvalid();
      }
      const claims = ours(payload, versioned);
      if (claims === undefined || claims.exp * 1000 <= clock()) throw tokenInvalid();
      return claims;
    },
  };
}

/** Who a verified token names, until its expiry. */
export const principalOfClaims = (claims: JwtClaims): Principal => ({
  userId: Number(claims.sub),
  username: claims.preferred_username,
  role: claims.role,
  expiresAt: claims.exp * 1000,
});
