import type { Lookup, TokenCache } from "../cache/token-cache.js";
import { tokenInvalid } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";

export interface VerifierDeps {
  cache: TokenCache;
  store: Store;
  metrics: Metrics;
  clock: () => number;
}

/**
 * Token hash → principal: the cache first, then the store. Throws 401 invalid_token, or 503 from
 * the store. A cache that answers synchronously (memory) gets a synchronous answer: a cache hit
 * then costs no promise at all, which is most of what is left of the check.
 */
export type Verifier = (tokenHash: string) => Principal | Promise<Principal>;

export function createVerifier({ cache, store, metrics, clock }: VerifierDeps): Verifier {
  const fromStore = async (tokenHash: string, fill: boolean, now: number) => {
    metrics.storeLookup("session");
    const principal = await store.findSession(tokenHash, now);
    if (principal === undefined) throw tokenInvalid();
    if (fill) cache.fill(tokenHash, principal, now);
    return principal;
  };
  const decide = (
    tokenHash: string,
    cached: Lookup,
    now: number,
  ): Principal | Promise<Principal> => {
    metrics.cacheLookup(cached.kind);
    if (cached.kind === "hit") {
      // The entry's TTL already stops at the token's expiry; this check also covers clock skew.
      if (cached.principal.expiresAt > now) return cached.principal;
      throw tokenInvalid();
    }
    if (cached.kind === "revoked") throw tokenInvalid();
    return fromStore(tokenHash, cached.kind === "miss", now);
  };
  return (tokenHash) => {
    const now = clock();
    const cached = cache.get(tokenHash);
    return cached instanceof Promise
      ? cached.then((lookup) => decide(tokenHash, lookup, now))
      : decide(tokenHash, cached, now);
  };
}
