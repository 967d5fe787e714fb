import type { TokenCache } from "../cache/token-cache.js";
import { tokenInvalid } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";
import { type JwtClaims, principalOfClaims } from "./jwt.js";
import { createVerifier, type PrincipalSource } from "./verify.js";

/** How a server that issues JWTs takes one back before it expires. */
export const JWT_REVOCATIONS = ["none", "denylist", "version"] as const;
export type JwtRevocationKind = (typeof JWT_REVOCATIONS)[number];

export interface JwtRevocation {
  /** The principal of a verified token still in force, or 401; synchronous when it can be. */
  check(claims: JwtClaims): Principal | Promise<Principal>;
  /** Logout. */
  revokeToken(claims: JwtClaims): Promise<void>;
  /** After a password change (the store has moved the user's token version on already). */
  revokeUser(claims: JwtClaims): Promise<void>;
  /** The earliest iat (seconds) a new token of this user may carry; 0 when none is set. */
  notBefore(sub: string): Promise<number>;
  /** Answers kept in this process besides the token cache's (jwt-denylist's near tier). */
  localEntries(): number;
  close(): Promise<void>;
}

/** Plain JWTs: nothing is looked up, so nothing can take a token back before `exp`. */
export const noRevocation: JwtRevocation = {
  check: principalOfClaims,
  revokeToken: async () => {},
  revokeUser: async () => {},
  notBefore: async () => 0,
  localEntries: () => 0,
  close: async () => {},
};

const versionKey = (claims: JwtClaims) => `ver:${claims.sub}:${claims.ver ?? 0}`;

/**
 * A version entry holds for as long as the cache keeps it; each token's own expiry is checked by
 * the codec. A finite number, since a Redis entry is JSON, where Infinity is null.
 */
const UNTIL_REVOKED = Number.MAX_SAFE_INTEGER;

/** `ver:<user id>:<version>` → the user, when that is still their version. */
function versionSource(store: Store): PrincipalSource {
  return {
    op: "version",
    find: async (key) => {
      const [, sub, ver] = key.split(":");
      const current = await store.findTokenVersion(Number(sub));
      if (current === undefined || current.tokenVersion !== Number(ver)) return undefined;
      return {
        userId: current.userId,
        username: current.username,
        role: current.role,
        expiresAt: UNTIL_REVOKED,
      };
    },
  };
}

export interface VersionRevocationDeps {
  store: Store;
  /** The --cache mode's cache, holding versions instead of sessions. */
  cache: TokenCache;
  metrics: Metrics;
  clock: () => number;
  coalesce: boolean;
}

/**
 * jwt-version: every token carries its user's token version, checked against the store's through
 * the cache, exactly as an opaque token's session is. A logout moves the version on and so ends
 * every token of that user, not just the one presented; a password change does the same in the
 * store's own transaction. The role comes from the store, so a role change is seen as soon as the
 * cached version entry goes.
 */
export function versionRevocation(deps: VersionRevocationDeps): JwtRevocation {
  const { store, cache } = deps;
  const verify = createVerifier({ ...deps, source: versionSource(store) });
  return {
    check: (claims) => {
      if (claims.ver === undefined) throw tokenInvalid();
      return verify(versionKey(claims));
    },
    revokeToken: async (claims) => {
      const replaced = await store.bumpTokenVersion(Number(claims.sub));
      await cache.invalidate([
        ...new Set([versionKey(claims), versionKey({ ...claims, ver: replaced })]),
      ]);
    },
    revokeUser: (claims) => cache.invalidate([versionKey(claims)]),
    notBefore: async () => 0,
    localEntries: () => 0,
    close: async () => {},
  };
}
