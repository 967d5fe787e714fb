import type { TokenCache } from "../cache/token-cache.js";
import type { Store, UserRecord } from "../store/store.js";
import type { JwtClaims, JwtCodec } from "./jwt.js";
import type { JwtRevocation } from "./jwt-revocation.js";
import { hashToken, newToken } from "./token.js";

export const TOKEN_KINDS = ["opaque", "jwt"] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** The token a request was authenticated with, as the hook left it on the request. */
export interface Presented {
  /** An opaque token's hash. */
  tokenHash: string | null;
  jwt: JwtClaims | null;
}

/** How tokens of one kind are issued and taken back; the password work stays in Sessions. */
export interface Tokens {
  issue(user: UserRecord): Promise<IssuedToken>;
  logout(presented: Presented): Promise<void>;
  /** After the store changed the password; `deleted` holds the sessions it deleted. */
  passwordChanged(presented: Presented, deleted: readonly string[]): Promise<void>;
}

export interface OpaqueTokensDeps {
  store: Store;
  cache: TokenCache;
  clock: () => number;
  ttlSeconds: number;
}

/** Random tokens whose sessions live in the store, keyed by the token's hash. */
export function opaqueTokens(deps: OpaqueTokensDeps): Tokens {
  const { store, cache, clock, ttlSeconds } = deps;
  return {
    issue: async (user) => {
      const accessToken = newToken();
      await store.createSession(hashToken(accessToken), user.id, clock() + ttlSeconds * 1000);
      return { accessToken, expiresIn: ttlSeconds };
    },
    logout: async ({ tokenHash }) => {
      if (tokenHash === null) return;
      await store.deleteSession(tokenHash);
      await cache.invalidate([tokenHash]);
    },
    passwordChanged: (_presented, deleted) => cache.invalidate(deleted),
  };
}

/** Signed tokens, taken back (or not) by the configured revocation. */
export function jwtTokens(codec: JwtCodec, revocation: JwtRevocation, ttlSeconds: number): Tokens {
  return {
    issue: async (user) => {
      const notBefore = await revocation.notBefore(String(user.id));
      return { accessToken: codec.sign(user, notBefore).token, expiresIn: ttlSeconds };
    },
    logout: async ({ jwt }) => {
      if (jwt !== null) await revocation.revokeToken(jwt);
    },
    passwordChanged: async ({ jwt }) => {
      if (jwt !== null) await revocation.revokeUser(jwt);
    },
  };
}
